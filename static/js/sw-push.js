/*
 * Web push for the site's service worker (imported by /sw.js with importScripts; the
 * installable app's service worker imports it too). Kept apart so the two can grow alone.
 *
 * A push message is JSON from the server (notify.content.push_payload):
 *   {title, body, url, tag}
 * No health details travel in it: at most a first name, and the page to open.
 */
/* global self, clients */
(function () {
  "use strict";

  function sameOrigin(url) {
    try {
      var target = new URL(url || "/", self.location.origin);
      return target.origin === self.location.origin ? target.href : self.location.origin + "/";
    } catch (error) {
      return self.location.origin + "/";
    }
  }

  self.addEventListener("push", function (event) {
    var data = {};
    try {
      data = event.data ? event.data.json() : {};
    } catch (error) {
      data = {};
    }
    var title = data.title || "";
    var options = {
      body: data.body || "",
      tag: data.tag || undefined,
      renotify: Boolean(data.tag),
      data: { url: sameOrigin(data.url) },
    };
    event.waitUntil(self.registration.showNotification(title, options));
  });

  self.addEventListener("notificationclick", function (event) {
    event.notification.close();
    var url = sameOrigin(event.notification.data && event.notification.data.url);
    event.waitUntil(
      clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
        for (var i = 0; i < windows.length; i += 1) {
          if (windows[i].url === url && "focus" in windows[i]) {
            return windows[i].focus();
          }
        }
        return clients.openWindow(url);
      })
    );
  });
})();
