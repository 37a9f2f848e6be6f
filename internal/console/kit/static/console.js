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
