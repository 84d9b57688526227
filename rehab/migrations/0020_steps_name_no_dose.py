"""More of the shipped library's steps named a hold time or a count of their own ("stay there for
about 30 seconds", "Hold your balance for 10–15 seconds to begin with", "Repeat 10 times, then
rest and do a second round", "Do 3 holds in all, unless your physiotherapist has set a different
dose"): under a plan that prescribes another dose, the patient's Today card contradicted itself.
They now say as long / as many as the plan says (0018 did the same for nine others). Tempo
("taking about 3 seconds" to lower) is how to do each repetition, not a dose, and stays."""

from django.db import migrations

from rehab.migrations._steps import reword_stock_steps

# slug: (the steps as shipped before, the steps now)
STEPS = {
    "towel-calf-stretch": (
        [
            "Sit on the floor or on a firm bed with the injured leg straight out in front of you. Bend the other knee and rest that foot flat if it is more comfortable.",
            "Loop the strap, belt, dog leash or a long folded towel across the ball of the foot, just below the toes. Not over the toes, where it can slide off and snap back, and not "
            "down at the arch.",
            "Hold one end in each hand (a leash's loops are easy to grip) and let the ankle go loose: the strap moves the foot, not your own muscles.",
            "Keep the knee straight and resting on the surface, then draw the strap slowly toward you until you feel a mild, even pull along the back of the calf and heel.",
            "Stop at that first point of mild tension, where going further would clearly start to hurt, and stay there for about 30 seconds, breathing normally.",
            "Let the strap out slowly until the foot is back at rest, and relax for a few seconds.",
            "Do 3 holds in all, unless your physiotherapist has set a different dose.",
        ],
        [
            "Sit on the floor or on a firm bed with the injured leg straight out in front of you. Bend the other knee and rest that foot flat if it is more comfortable.",
            "Loop the strap, belt, dog leash or a long folded towel across the ball of the foot, just below the toes. Not over the toes, where it can slide off and snap back, and not "
            "down at the arch.",
            "Hold one end in each hand (a leash's loops are easy to grip) and let the ankle go loose: the strap moves the foot, not your own muscles.",
            "Keep the knee straight and resting on the surface, then draw the strap slowly toward you until you feel a mild, even pull along the back of the calf and heel.",
            "Stop at that first point of mild tension, where going further would clearly start to hurt, and stay there for as long as your plan says, breathing normally.",
            "Let the strap out slowly until the foot is back at rest, and relax for a few seconds.",
            "Do as many holds as your plan says.",
        ],
    ),
    "standing-gastrocnemius-stretch": (
        [
            "Stand facing a sturdy chair back or a kitchen counter and rest both hands on it.",
            "Step the injured leg back about one stride, keeping the other foot in front.",
            "Point the back foot straight ahead, toes not turned out, with the whole heel on the floor.",
            "Keep the back knee straight throughout.",
            "Slowly bend the front knee and let your hips move forward until you feel a mild pull in the calf of the back leg.",
            "Stay there for about 30 seconds, then ease back to the start.",
            "Do 3 holds in all, unless your physiotherapist has set a different dose.",
        ],
        [
            "Stand facing a sturdy chair back or a kitchen counter and rest both hands on it.",
            "Step the injured leg back about one stride, keeping the other foot in front.",
            "Point the back foot straight ahead, toes not turned out, with the whole heel on the floor.",
            "Keep the back knee straight throughout.",
            "Slowly bend the front knee and let your hips move forward until you feel a mild pull in the calf of the back leg.",
            "Stay there for as long as your plan says, then ease back to the start.",
            "Do as many holds as your plan says.",
        ],
    ),
    "standing-soleus-stretch": (
        [
            "Set up as for the standing calf stretch: hands on a sturdy chair or counter, injured leg one step behind you.",
            "Point the back foot straight ahead and keep the back heel on the floor the whole time.",
            "Bend the back knee as well as the front one, lowering yourself a little as if starting to sit.",
            "Let both knees travel forward slowly until you feel a mild pull low in the calf, near the heel. Some people feel it at the front of the ankle instead.",
            "Stay there for about 30 seconds, then straighten up slowly.",
            "Do 3 holds in all, unless your physiotherapist has set a different dose.",
        ],
        [
            "Set up as for the standing calf stretch: hands on a sturdy chair or counter, injured leg one step behind you.",
            "Point the back foot straight ahead and keep the back heel on the floor the whole time.",
            "Bend the back knee as well as the front one, lowering yourself a little as if starting to sit.",
            "Let both knees travel forward slowly until you feel a mild pull low in the calf, near the heel. Some people feel it at the front of the ankle instead.",
            "Stay there for as long as your plan says, then straighten up slowly.",
            "Do as many holds as your plan says.",
        ],
    ),
    "balance-no-hands": (
        [
            "Stand close to a sturdy chair back or a counter, facing it, in the footwear your physiotherapist advises.",
            "Keep your hands just above the support, not touching it.",
            "Shift your weight onto the injured leg and lift the other foot just clear of the floor.",
            "Keep the standing knee soft, not locked, and look straight ahead.",
            "Hold your balance for 10–15 seconds to begin with.",
            "Put the other foot down and rest for a few seconds before the next hold.",
            "Build up over the weeks towards 30 seconds, then up to a minute.",
        ],
        [
            "Stand close to a sturdy chair back or a counter, facing it, in the footwear your physiotherapist advises.",
            "Keep your hands just above the support, not touching it.",
            "Shift your weight onto the injured leg and lift the other foot just clear of the floor.",
            "Keep the standing knee soft, not locked, and look straight ahead.",
            "Hold your balance for as long as your plan says.",
            "Put the other foot down and rest for a few seconds before the next hold.",
            "Your physiotherapist will lengthen the hold over the weeks.",
        ],
    ),
    "balance-two-fingers": (
        [
            "Stand close to a sturdy chair back or a counter, facing it, in the footwear your physiotherapist advises.",
            "Rest one or two fingertips of one hand on the support.",
            "Shift your weight onto the injured leg and lift the other foot just clear of the floor.",
            "Keep the standing knee soft, not locked, and look straight ahead.",
            "Hold your balance for about 15 seconds, using the fingers only to steady yourself.",
            "Put the other foot down and rest for a few seconds before the next hold.",
            "When this is steady, your physiotherapist may move you to level 3: one finger.",
        ],
        [
            "Stand close to a sturdy chair back or a counter, facing it, in the footwear your physiotherapist advises.",
            "Rest one or two fingertips of one hand on the support.",
            "Shift your weight onto the injured leg and lift the other foot just clear of the floor.",
            "Keep the standing knee soft, not locked, and look straight ahead.",
            "Hold your balance for as long as your plan says, using the fingers only to steady yourself.",
            "Put the other foot down and rest for a few seconds before the next hold.",
            "When this is steady, your physiotherapist may move you to level 3: one finger.",
        ],
    ),
    "toe-curls-and-spreading": (
        [
            "Sit or lie with the leg supported and raised; the boot, cast or splint stays on.",
            "Curl all the toes down as if gripping the floor, and hold for a couple of seconds.",
            "Straighten the toes and lift them gently up as far as they go inside the boot.",
            "Spread the toes apart as wide as you can, then let them relax.",
            "Keep the ankle still: only the toes move.",
            "Repeat 10 times, then rest and do a second round.",
        ],
        [
            "Sit or lie with the leg supported and raised; the boot, cast or splint stays on.",
            "Curl all the toes down as if gripping the floor, and hold for a couple of seconds.",
            "Straighten the toes and lift them gently up as far as they go inside the boot.",
            "Spread the toes apart as wide as you can, then let them relax.",
            "Keep the ankle still: only the toes move.",
            "Repeat as many times as your plan says, resting between sets.",
        ],
    ),
    "ankle-active-motion-to-neutral": (
        [
            "Only once your surgeon or physiotherapist has said the boot may come off for exercise: sit on a chair or the edge of the bed and take the boot off.",
            "Let the foot rest with the knee bent, heel on the floor or just clear of it.",
            "Using your own muscles only, slowly point the foot down as far as is comfortable.",
            "Slowly bring your foot back up and stop when it is at a right angle to your shin. Go no further.",
            "Move smoothly, without bouncing and without helping with your hands.",
            "Repeat 10 times, rest, then do a second set.",
            "Put the boot back on and fasten it as you were shown before you stand up.",
        ],
        [
            "Only once your surgeon or physiotherapist has said the boot may come off for exercise: sit on a chair or the edge of the bed and take the boot off.",
            "Let the foot rest with the knee bent, heel on the floor or just clear of it.",
            "Using your own muscles only, slowly point the foot down as far as is comfortable.",
            "Slowly bring your foot back up and stop when it is at a right angle to your shin. Go no further.",
            "Move smoothly, without bouncing and without helping with your hands.",
            "Repeat as many times as your plan says, resting between sets.",
            "Put the boot back on and fasten it as you were shown before you stand up.",
        ],
    ),
    "straight-leg-raise": (
        [
            "Lie on your back on a bed or the floor with the boot or splint on.",
            "Bend the uninjured knee and put that foot flat.",
            "Tighten the thigh muscles of the injured leg so that the knee is straight.",
            "Keeping the knee straight, lift the leg to about the height of the other knee.",
            "Hold for about 2 seconds, then lower it slowly.",
            "Relax, then repeat 10 times.",
        ],
        [
            "Lie on your back on a bed or the floor with the boot or splint on.",
            "Bend the uninjured knee and put that foot flat.",
            "Tighten the thigh muscles of the injured leg so that the knee is straight.",
            "Keeping the knee straight, lift the leg to about the height of the other knee.",
            "Hold it there briefly, or as long as your plan says, then lower it slowly.",
            "Relax, then repeat as many times as your plan says.",
        ],
    ),
}


def forward(apps, schema_editor):
    reword_stock_steps(apps, STEPS)


class Migration(migrations.Migration):
    dependencies = [("rehab", "0019_template_rows_created_at")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
