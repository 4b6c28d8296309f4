// Zespan's only script, small on purpose: every page works without it.
// 1. <time data-local-time> shows the exact time in the viewer's own zone on hover.
// 2. A submit button or form with data-confirm asks before doing something that cannot be undone.
for (const element of document.querySelectorAll("time[data-local-time]")) {
  const moment = new Date(element.getAttribute("datetime"));
  if (!Number.isNaN(moment.getTime())) element.title = moment.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "long" });
}
document.addEventListener("submit", (event) => {
  const message = event.submitter?.dataset.confirm ?? event.target.dataset?.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
