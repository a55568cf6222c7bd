// The job page (winnow.worker.jobs) while its import waits or runs: every few seconds fetch its status alone
// (?status: state and progress, unaudited) and replace the status (a polite live region); reload the page once the
// job has finished, so the result or the errors show as the page renders them (that read is audited). Without
// JavaScript the page says to refresh it.
const status = document.getElementById("job-status");
const url = status && status.dataset.jobPoll;

async function poll() {
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (response.ok) {
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = page.getElementById("job-status");
      if (next && !next.dataset.jobPoll) {
        window.location.reload();
        return;
      }
      if (next) status.innerHTML = next.innerHTML;
    }
  } catch (error) {
    // a dropped connection: try again at the next tick
  }
  window.setTimeout(poll, 2000);
}

if (url) window.setTimeout(poll, 2000);
