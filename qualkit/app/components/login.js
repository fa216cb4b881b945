// Keeps a login in this browser when the person asked for it ("Keep me logged in"): the login token in
// localStorage (never a cookie, never sent anywhere but to this app), one per project. `keep` stores it,
// `forget` removes it (a logout, or a login that no longer works), `restore` gives it back to a new
// session of the app in the same browser, which checks it like any login.
export default function (component) {
  const { data, setTriggerValue } = component;
  const key = "qualkit.login." + data.project;
  try {
    if (data.forget) {
      window.localStorage.removeItem(key);
    } else if (data.keep) {
      window.localStorage.setItem(key, data.keep);
    } else if (data.restore) {
      const stored = window.localStorage.getItem(key);
      if (stored) setTriggerValue("stored", { token: stored });
    }
  } catch (e) {
    // storage refused (a private window, a policy): the login simply lasts as long as this tab
  }
}
