{% load static %}/* The site's service worker (served at /sw.js so it may control every page).
   Push notifications: sw-push.js. The installable app adds its own handlers here. */
importScripts("{% static 'js/sw-push.js' %}");
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
