// Text boxes that grow with what is typed (up to their CSS max-height, then scroll).

export function fit(box) {
  box.style.height = "auto";
  box.style.height = `${box.scrollHeight + (box.offsetHeight - box.clientHeight)}px`;
}

export function autoGrow(box) {
  if (!box.dataset.grows) {
    box.dataset.grows = "1";
    box.addEventListener("input", () => fit(box));
  }
  fit(box);
}
