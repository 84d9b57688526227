/*
 * A Today card's pain, effort and undo forms (today/cards.js keeps the card's state): the page
 * draws them on a card that has a tick; a card first ticked on the phone gets a copy of the
 * page's one template (#feedback-forms, rehab/me/_feedback_forms.html), its ids made the
 * card's own (``undoLabel()``: the undo button's words). ``actions``: feedback(card, {pain,
 * effort, note}) for the card's last tick, and undo(card).
 */

/* A card's pain, effort and undo forms come with it only once it has a tick; a card first
   ticked here gets them from the page's one template. */
export function addForms(card, undoLabel, actions) {
  if (card.el.querySelector("[data-role=feedback]")) {
    return;
  }
  const template = document.getElementById("feedback-forms");
  if (!template) {
    return;
  }
  const copy = template.content.cloneNode(true);
  const own = (id) => id.replace(/^rx-0-/, "rx-" + card.rx + "-");
  copy.querySelectorAll("[id]").forEach((el) => {
    el.id = own(el.id);
  });
  copy.querySelectorAll("[for]").forEach((el) => {
    el.setAttribute("for", own(el.getAttribute("for")));
  });
  copy.querySelector("[data-role=undo-label]").textContent = undoLabel();
  card.el.querySelector(".card-body").appendChild(copy);
  bindForms(card, actions);
}

export function bindForms(card, actions) {
  const feedback = card.el.querySelector("[data-role=feedback]");
  if (!feedback) {
    return;
  }
  feedback.querySelectorAll("input[type=range]").forEach((input) => {
    const output = feedback.querySelector("output[for='" + input.id + "']");
    input.addEventListener("input", () => {
      if (output) {
        output.textContent = input.value;
      }
    });
  });
  feedback.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!card.last) {
      return;
    }
    actions.feedback(card, {
      pain: feedback.elements.pain.value,
      effort: feedback.elements.effort.value,
      note: feedback.elements.note.value,
    });
  });
  card.el.querySelector("[data-role=undo]").addEventListener("submit", (event) => {
    event.preventDefault();
    actions.undo(card);
  });
}
