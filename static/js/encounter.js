// The encounter screen: tap counters, kit buttons, and the undo banner that goes after 10 seconds.
const form = document.querySelector("[data-encounter-form]");

function counterInput(name) {
  return form.querySelector(`input[name="${name}"]`);
}

function setCount(input, value) {
  const max = input.max ? Number(input.max) : Infinity;
  input.value = String(Math.max(0, Math.min(max, value)));
}

if (form) {
  form.addEventListener("click", (event) => {
    const step = event.target.closest("[data-step]");
    if (step) {
      const input = step.closest("[data-counter]").querySelector("input");
      setCount(input, Number(input.value || 0) + Number(step.dataset.step));
      return;
    }
    const kit = event.target.closest("[data-kit]");
    if (kit) {
      const quantities = JSON.parse(kit.dataset.kit);
      for (const [itemId, quantity] of Object.entries(quantities)) {
        const input = counterInput(`item_${itemId}`);
        if (input) setCount(input, Number(input.value || 0) + quantity);
      }
      return;
    }
    if (event.target.closest("[data-clear-counters]")) {
      form.querySelectorAll('input[name^="item_"]').forEach((input) => setCount(input, 0));
    }
  });

  // The kind follows the location (a van means a mobile unit) unless the worker chose the kind
  // by hand: on this visit, or before a failed save left it unlike the location's.
  const locationSelect = form.querySelector('select[name="location"]');
  const kindSelect = form.querySelector('select[name="kind"]');
  if (locationSelect && kindSelect) {
    const impliedKind = () => locationSelect.selectedOptions[0]?.dataset.encounterKind;
    let kindChosenByHand = Boolean(impliedKind()) && kindSelect.value !== impliedKind();
    kindSelect.addEventListener("change", () => {
      kindChosenByHand = true;
    });
    locationSelect.addEventListener("change", () => {
      if (!kindChosenByHand && impliedKind()) kindSelect.value = impliedKind();
    });
  }

  // Enter in the search box looks people up; it must not save a half-made encounter.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.closest("[data-no-submit], #code-questions")) {
      event.preventDefault();
    }
  });
}

const confirmation = document.querySelector("[data-expires-in]");
if (confirmation) {
  setTimeout(() => confirmation.remove(), Number(confirmation.dataset.expiresIn) * 1000);
}
