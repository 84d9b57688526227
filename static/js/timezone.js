/*
 * A time zone box (the patient's reminders page): when the phone's own time zone is one the box
 * knows (its <datalist>) and not the one in the box, offer it in one tap ("Use this phone's
 * time zone: Pacific/Auckland"). Nothing is changed until the patient taps it and saves.
 * The offer's words are the server's ([data-phone-zone]'s data-label, translated there).
 */
import { fmt } from "./common.js";

const offer = document.querySelector("[data-phone-zone]");
const input = offer ? document.getElementById(offer.dataset.for) : null;
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const names = input ? document.getElementById(input.getAttribute("list")) : null;
const known = names && zone && Array.from(names.options).some((option) => option.value === zone);

if (offer && input && known && input.value !== zone) {
  const button = offer.querySelector("button");
  button.textContent = fmt(offer.dataset.label, { zone });
  offer.hidden = false;
  button.addEventListener("click", () => {
    input.value = zone;
    offer.hidden = true;
    input.focus();
  });
}
