// The console's only script; every page works without it. It asks before
// irreversible actions, keeps a form from being sent twice, clears the
// sign-in token from the page, and shows that a long download is running.
document.addEventListener("submit", function (e) {
  var f = e.target;
  var ask = f.getAttribute("data-confirm");
  if (ask && !window.confirm(ask)) { e.preventDefault(); return; }
  if (f.method.toLowerCase() === "post") {
    f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    f.classList.add("busy");
  }
  var t = f.querySelector("input[name=token]");
  if (t) { setTimeout(function () { t.value = ""; }, 0); }
});

// Bank and audit sections: a form marked data-progress shows its .progress
// while the answer is prepared. A download leaves the page where it is, so
// a form with a "dl" token takes the indicator down when the answer's
// renofund_download cookie names a fresh token set at each submit.
document.addEventListener("submit", function (e) {
  var f = e.target;
  if (e.defaultPrevented || !f.hasAttribute("data-progress")) { return; }
  f.classList.add("busy");
  var dl = f.querySelector("input[name=dl]");
  if (!dl) { return; }
  var b = f.querySelector("button[type=submit]");
  var token = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  dl.value = token;
  if (b) { b.disabled = true; }
  var timer = setInterval(function () {
    if (("; " + document.cookie + ";").indexOf("; renofund_download=" + token + ";") < 0) { return; }
    clearInterval(timer);
    f.classList.remove("busy");
    if (b) { b.disabled = false; }
  }, 500);
});
