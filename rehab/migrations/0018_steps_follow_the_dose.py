"""The shipped library's steps no longer name a count or a hold time: the patient's Today card
shows them under the dose their plan prescribes, which they contradicted ("Repeat 10 times" under
3 x 15). A shipped exercise whose steps are still as shipped gets the new ones, and patients
following it see "Instructions updated"; one changed since is left as it is."""

from django.db import migrations

from rehab.migrations._steps import reword_stock_steps

# slug: (the steps as shipped before, the steps now)
STEPS = {
    "balance-one-finger": (
        [
            "Stand close to a sturdy chair back or a counter, facing it, in the footwear your physiotherapist advises.",
            "Rest just one fingertip on the support.",
            "Shift your weight onto the injured leg and lift the other foot just clear of the floor.",
            "Keep the standing knee soft, not locked, and look straight ahead.",
            "Hold your balance for about 15 seconds, pressing down on the finger as little as you can.",
            "Put the other foot down and rest for a few seconds before the next hold.",
            "When this is steady, your physiotherapist may move you to level 4: no hands.",
        ],
        [
            "Stand close to a sturdy chair back or a counter, facing it, in the footwear your physiotherapist advises.",
            "Rest just one fingertip on the support.",
            "Shift your weight onto the injured leg and lift the other foot just clear of the floor.",
            "Keep the standing knee soft, not locked, and look straight ahead.",
            "Hold your balance for as long as your plan says, pressing down on the finger as little as you can.",
            "Put the other foot down and rest for a few seconds before the next hold.",
            "When this is steady, your physiotherapist may move you to level 4: no hands.",
        ],
    ),
    "balance-both-hands": (
        [
            "Stand close to a sturdy chair back or a counter, facing it, in the footwear your physiotherapist advises.",
            "Rest both hands on the support.",
            "Shift your weight onto the injured leg and lift the other foot just clear of the floor.",
            "Keep the standing knee soft, not locked, and look straight ahead.",
            "Hold your balance for 15–20 seconds, leaning on your hands as much as you need to stay steady.",
            "Put the other foot down and rest for a few seconds before the next hold.",
            "When you can hold 20 seconds steadily, your physiotherapist may move you to level 2: one or two fingers.",
        ],
        [
            "Stand close to a sturdy chair back or a counter, facing it, in the footwear your physiotherapist advises.",
            "Rest both hands on the support.",
            "Shift your weight onto the injured leg and lift the other foot just clear of the floor.",
            "Keep the standing knee soft, not locked, and look straight ahead.",
            "Hold your balance for as long as your plan says, leaning on your hands as much as you need to stay steady.",
            "Put the other foot down and rest for a few seconds before the next hold.",
            "When you can hold it steadily, your physiotherapist may move you to level 2: one or two fingers.",
        ],
    ),
    "isometric-plantarflexion": (
        [
            "Sit with the leg supported and the sole of the foot flat against a wall or the end of the bed. Keep the boot on unless your physiotherapist allows it off.",
            "Set your ankle at or below the angle it rests at. Never let your foot be pushed up further than a right angle to your shin.",
            "Press the ball of the foot gently into the surface as if starting to point the toes, without letting the ankle move.",
            "Use light effort only, about a quarter to a third of your strongest push, and build it up slowly.",
            "Hold the push for 5 seconds, breathing normally, then relax fully.",
            "Repeat 10 times.",
            "Your physiotherapist may raise the effort gradually over the following weeks.",
        ],
        [
            "Sit with the leg supported and the sole of the foot flat against a wall or the end of the bed. Keep the boot on unless your physiotherapist allows it off.",
            "Set your ankle at or below the angle it rests at. Never let your foot be pushed up further than a right angle to your shin.",
            "Press the ball of the foot gently into the surface as if starting to point the toes, without letting the ankle move.",
            "Use light effort only, about a quarter to a third of your strongest push, and build it up slowly.",
            "Hold the push for as long as your plan says, breathing normally, then relax fully.",
            "Repeat as many times as your plan says.",
            "Your physiotherapist may raise the effort gradually over the following weeks.",
        ],
    ),
    "seated-heel-raise": (
        [
            "Sit on a chair with feet flat on the floor and knees bent to about a right angle. Take the boot off only if your physiotherapist allows it.",
            "Keep the toes and the ball of each foot on the floor.",
            "Lift the heels as high as is comfortable, using your calves.",
            "Pause for a moment at the top.",
            "Lower the heels slowly back to the floor.",
            "Repeat 10 times. Start with both legs together; later your physiotherapist may ask for the injured leg alone or a light weight on the thigh.",
        ],
        [
            "Sit on a chair with feet flat on the floor and knees bent to about a right angle. Take the boot off only if your physiotherapist allows it.",
            "Keep the toes and the ball of each foot on the floor.",
            "Lift the heels as high as is comfortable, using your calves.",
            "Pause for a moment at the top.",
            "Lower the heels slowly back to the floor.",
            "Repeat as many times as your plan says, with the leg or legs it says; later your physiotherapist may add a light weight on the thigh.",
        ],
    ),
    "quadriceps-sets": (
        [
            "Sit or lie with the injured leg straight and supported, boot or splint on.",
            "Tighten the muscle at the front of the thigh, pressing the back of the knee down toward the bed.",
            "You should see the kneecap draw up slightly.",
            "Hold for 5 seconds, breathing normally.",
            "Relax completely.",
            "Repeat 10 times.",
        ],
        [
            "Sit or lie with the injured leg straight and supported, boot or splint on.",
            "Tighten the muscle at the front of the thigh, pressing the back of the knee down toward the bed.",
            "You should see the kneecap draw up slightly.",
            "Hold for as long as your plan says, breathing normally.",
            "Relax completely.",
            "Repeat as many times as your plan says.",
        ],
    ),
    "heel-lowering-single-leg-eccentric": (
        [
            "Stand on flat floor facing a sturdy chair or counter, hands resting on it for balance.",
            "Rise up onto the toes of both feet, as in the heel raise.",
            "At the top, lift the uninjured foot just off the floor so the injured leg holds you.",
            "Lower the heel of the injured leg slowly to the floor, taking 3 to 5 seconds.",
            "Put the other foot back down and rise again on both feet.",
            "Repeat 10 times.",
            "Stay on flat floor, not the edge of a step, until your physiotherapist says the heel may drop below the toes.",
        ],
        [
            "Stand on flat floor facing a sturdy chair or counter, hands resting on it for balance.",
            "Rise up onto the toes of both feet, as in the heel raise.",
            "At the top, lift the uninjured foot just off the floor so the injured leg holds you.",
            "Lower the heel of the injured leg slowly to the floor, taking 3 to 5 seconds.",
            "Put the other foot back down and rise again on both feet.",
            "Repeat as many times as your plan says.",
            "Stay on flat floor, not the edge of a step, until your physiotherapist says the heel may drop below the toes.",
        ],
    ),
    "heel-raise-single-leg": (
        [
            "Stand on flat floor facing a sturdy chair or counter, fingertips resting on it for balance.",
            "Lift the uninjured foot just off the floor.",
            "Push up through the ball of the injured foot to raise the heel as high as you can, keeping the body upright.",
            "Pause at the top.",
            "Lower the heel slowly to the floor, taking about 3 seconds.",
            "Repeat 5 times to start; build towards 20 or more as your physiotherapist advises.",
        ],
        [
            "Stand on flat floor facing a sturdy chair or counter, fingertips resting on it for balance.",
            "Lift the uninjured foot just off the floor.",
            "Push up through the ball of the injured foot to raise the heel as high as you can, keeping the body upright.",
            "Pause at the top.",
            "Lower the heel slowly to the floor, taking about 3 seconds.",
            "Repeat as many times as your plan says; your physiotherapist will build it up over the weeks.",
        ],
    ),
}


def forward(apps, schema_editor):
    reword_stock_steps(apps, STEPS)


class Migration(migrations.Migration):
    dependencies = [("rehab", "0017_prescription_earlier_doses")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
