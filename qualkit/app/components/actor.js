// Remembers the name given in the app's sidebar in this browser (localStorage, never a cookie, never
// sent anywhere but to this app), and gives it back to a new session of the app in the same browser.
const KEY = "qualkit.actor";

export default function (component) {
  const { data, setTriggerValue } = component;
  let stored = null;
  try { stored = window.localStorage.getItem(KEY); } catch (e) { return; }
  if (data.restore) {
    if (stored) setTriggerValue("stored", { name: stored });
    return;
  }
  if (data.name && data.name !== stored) window.localStorage.setItem(KEY, data.name);
  if (!data.name && stored) window.localStorage.removeItem(KEY);
}
