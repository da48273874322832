/*
 * Clinic screening chat widget. One script tag, no framework, no outside requests:
 *
 *   <script src="https://YOUR-CHAT-SERVER/widget.js" defer
 *           data-clinic-name="Bloom Ketamine Pain Clinic"
 *           data-primary-color="#0b5cad"
 *           data-server="https://YOUR-CHAT-SERVER"></script>
 *
 * It talks only to `${server}/chat` (the project's web app relays to Rasa's REST channel).
 * The conversation (sender id + transcript) is kept in sessionStorage only: a reload in the same
 * tab restores it, and closing the tab forgets it. Nothing is ever written to localStorage or cookies.
 * Elements on the host page with a `data-chat-open` attribute open the chat when clicked.
 */
(function () {
  "use strict";

  if (window.ClinicChat && window.ClinicChat.__loaded) return;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='widget.js']");
    return all[all.length - 1];
  })();
  var data = (script && script.dataset) || {};

  function scriptOrigin() {
    try { return new URL(script.src, document.baseURI).origin; } catch (e) { return window.location.origin; }
  }

  var SERVER = (data.server || scriptOrigin()).replace(/\/+$/, "");
  var CLINIC = (data.clinicName || "").trim() || "our clinic";
  var PRIMARY = validColor(data.primaryColor) || "#0b5cad";
  var KEY = "clinic-chat:" + SERVER + ":";
  var MAX_CHARS = 2000;

  // ---- storage: sessionStorage only, with an in-memory fallback when it is blocked ----------
  var memory = {};
  var store = {
    get: function (k) {
      try { var v = window.sessionStorage.getItem(KEY + k); return v === null ? null : JSON.parse(v); }
      catch (e) { return Object.prototype.hasOwnProperty.call(memory, k) ? memory[k] : null; }
    },
    set: function (k, v) {
      memory[k] = v;
      try { window.sessionStorage.setItem(KEY + k, JSON.stringify(v)); } catch (e) { /* memory only */ }
    },
    remove: function (k) {
      delete memory[k];
      try { window.sessionStorage.removeItem(KEY + k); } catch (e) { /* ignore */ }
    }
  };

  function newSenderId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function newMessageId() {
    return newSenderId().replace("web-", "m-");
  }

  var state = {
    sender: store.get("sender"),
    // transcript entries: {from: "bot"|"user", text, buttons?}
    transcript: store.get("transcript") || [],
    // the one message on its way (or failed): {message, title, hidden, kind}
    outbox: store.get("outbox"),
    open: store.get("open") === true,
    greeted: store.get("greeted") === true,
    busy: false
  };
  if (!state.sender || !/^[A-Za-z0-9_-]{8,64}$/.test(state.sender)) {
    state.sender = newSenderId();
    store.set("sender", state.sender);
  }

  function save() {
    store.set("transcript", state.transcript);
    if (state.outbox) store.set("outbox", state.outbox); else store.remove("outbox");
    store.set("open", state.open);
    store.set("greeted", state.greeted);
  }

  // ---- colours: keep the clinic's colour, pick the text colour that passes WCAG AA on it -------
  function validColor(value) {
    if (!value) return null;
    value = String(value).trim();
    return /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value) ? value : null;
  }
  function luminance(hex) {
    hex = hex.replace("#", "");
    if (hex.length === 3) hex = hex.split("").map(function (c) { return c + c; }).join("");
    var rgb = [0, 2, 4].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  var ON_PRIMARY = contrast(PRIMARY, "#ffffff") >= contrast(PRIMARY, "#111111") ? "#ffffff" : "#111111";
  // A colour too light to be readable against the white panel falls back to the default for text uses.
  var PRIMARY_TEXT = contrast(PRIMARY, "#ffffff") >= 4.5 ? PRIMARY : "#0b5cad";

  // ---- DOM helpers ---------------------------------------------------------------------------
  var uid = 0;
  function id(name) { uid += 1; return "ccw-" + name + "-" + uid; }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function chatIcon() {
    // Drawn inline: no icon font, no image request, no emoji font needed.
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "ccw-launcher-icon");
    var path = document.createElementNS(NS, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }
  function srOnly(text) { return el("span", { class: "ccw-sr", text: text }); }

  function loadStyles() {
    var href = SERVER + "/widget.css";
    var links = document.querySelectorAll("link[rel='stylesheet']");
    for (var i = 0; i < links.length; i++) if (links[i].href === href) return;
    document.head.appendChild(el("link", { rel: "stylesheet", href: href }));
  }

  // ---- build the widget ----------------------------------------------------------------------
  var ids = { title: id("title"), log: id("log"), input: id("input"), crisisTitle: id("crisis-title"), panel: id("panel"), crisis: id("crisis"), hint: id("hint") };

  var root = el("div", { class: "ccw-root", "data-clinic-chat": "" });
  root.style.setProperty("--ccw-primary", PRIMARY);
  root.style.setProperty("--ccw-on-primary", ON_PRIMARY);
  root.style.setProperty("--ccw-primary-text", PRIMARY_TEXT);

  // Dock: visible while the chat is closed. Crisis help sits beside the launcher, always one tap away.
  var crisisDockBtn = el("button", { type: "button", class: "ccw-btn ccw-crisis-btn", "aria-controls": ids.crisis, "aria-expanded": "false", text: "Crisis help" });
  var launcher = el("button", { type: "button", class: "ccw-btn ccw-launcher", "aria-controls": ids.panel, "aria-expanded": "false" }, [
    chatIcon(),
    el("span", { text: "Chat with us" })
  ]);
  var dock = el("div", { class: "ccw-dock" }, [crisisDockBtn, launcher]);

  // Crisis panel: works whether or not the chat is open.
  var crisisClose = el("button", { type: "button", class: "ccw-btn ccw-icon-btn", "aria-label": "Close crisis help", text: "\u00D7" });
  var crisisTitle = el("h2", { id: ids.crisisTitle, class: "ccw-crisis-title", tabindex: "-1", text: "If you are in crisis, get help now" });
  var crisis = el("section", { id: ids.crisis, class: "ccw-crisis", "aria-labelledby": ids.crisisTitle, hidden: true }, [
    el("div", { class: "ccw-crisis-head" }, [crisisTitle, crisisClose]),
    el("p", { text: "This chat is not watched by a person in real time. If you are thinking about harming yourself, or you are in danger:" }),
    el("ul", { class: "ccw-crisis-list" }, [
      el("li", {}, [el("a", { class: "ccw-crisis-link", href: "tel:988" }, ["Call ", el("strong", { text: "988" }), " (Suicide & Crisis Lifeline)"])]),
      el("li", {}, [el("a", { class: "ccw-crisis-link", href: "sms:988" }, ["Text ", el("strong", { text: "988" })])]),
      el("li", {}, [el("a", { class: "ccw-crisis-link", href: "https://988lifeline.org/chat/", target: "_blank", rel: "noopener noreferrer" }, ["Chat at ", el("strong", { text: "988lifeline.org" }), srOnly(" (opens in a new tab)")])]),
      el("li", {}, [el("a", { class: "ccw-crisis-link ccw-crisis-911", href: "tel:911" }, ["Emergency: call ", el("strong", { text: "911" })])])
    ])
  ]);

  // Chat panel.
  var crisisHeadBtn = el("button", { type: "button", class: "ccw-btn ccw-crisis-btn", "aria-controls": ids.crisis, "aria-expanded": "false", text: "Crisis help" });
  var closeBtn = el("button", { type: "button", class: "ccw-btn ccw-icon-btn ccw-on-primary", "aria-label": "Close chat", text: "\u00D7" });
  var log = el("div", { id: ids.log, class: "ccw-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Conversation", tabindex: "0" });
  var typing = el("div", { class: "ccw-typing", hidden: true }, [
    el("span", { class: "ccw-dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
    el("span", { text: "The assistant is typing\u2026" })
  ]);
  var statusText = el("p", { class: "ccw-status-text" });
  var retryBtn = el("button", { type: "button", class: "ccw-btn ccw-retry", text: "Retry" });
  var status = el("div", { class: "ccw-status", role: "alert" });
  var statusBox = el("div", { class: "ccw-status-box", hidden: true }, [statusText, retryBtn]);
  status.appendChild(statusBox);
  var choices = el("div", { class: "ccw-choices", role: "group", "aria-label": "Suggested answers", hidden: true });
  var input = el("textarea", { id: ids.input, class: "ccw-input", rows: "1", maxlength: String(MAX_CHARS), autocomplete: "off", "aria-describedby": ids.hint, enterkeyhint: "send" });
  var sendBtn = el("button", { type: "submit", class: "ccw-btn ccw-send", text: "Send" });
  var form = el("form", { class: "ccw-form", novalidate: true }, [
    el("label", { for: ids.input, class: "ccw-sr", text: "Your message" }),
    input, sendBtn
  ]);
  var humanBtn = el("button", { type: "button", class: "ccw-btn ccw-tool", text: "Talk to a person" });
  var restartBtn = el("button", { type: "button", class: "ccw-btn ccw-tool", text: "Start over" });
  var eraseBtn = el("button", { type: "button", class: "ccw-btn ccw-tool", text: "Delete my data" });
  var panel = el("section", { id: ids.panel, class: "ccw-panel", "aria-labelledby": ids.title, hidden: true }, [
    el("div", { class: "ccw-head" }, [
      el("h2", { id: ids.title, class: "ccw-title" }, [CLINIC, el("span", { class: "ccw-subtitle", text: "Screening assistant (automated)" })]),
      crisisHeadBtn, closeBtn
    ]),
    log, typing, status, choices, form,
    el("div", { class: "ccw-tools" }, [humanBtn, restartBtn, eraseBtn]),
    el("p", { id: ids.hint, class: "ccw-note", text: "Not medical advice. Press Enter to send, Shift+Enter for a new line. In an emergency call 911." })
  ]);

  root.appendChild(panel);
  root.appendChild(crisis);
  root.appendChild(dock);

  // ---- rendering -----------------------------------------------------------------------------
  function renderEntry(entry) {
    var isBot = entry.from === "bot";
    var bubble = el("div", { class: "ccw-msg " + (isBot ? "ccw-bot" : "ccw-user") + (entry.failed ? " ccw-failed" : "") });
    bubble.appendChild(srOnly(isBot ? "Assistant: " : "You: "));
    bubble.appendChild(el("span", { class: "ccw-text", text: entry.text || "" }));
    if (isBot && entry.buttons && entry.buttons.length) {
      bubble.appendChild(srOnly(" Choices: " + entry.buttons.map(function (b) { return b.title; }).join(", ") + "."));
    }
    if (entry.failed) bubble.appendChild(el("span", { class: "ccw-msg-flag", text: " Not sent yet" }));
    return bubble;
  }

  function renderAll() {
    log.textContent = "";
    state.transcript.forEach(function (entry) { log.appendChild(renderEntry(entry)); });
    renderChoices();
    scrollDown();
  }

  function append(entry) {
    state.transcript.push(entry);
    log.appendChild(renderEntry(entry));
    scrollDown();
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function renderChoices() {
    choices.textContent = "";
    // The newest choices in the bot's latest turn (a question with buttons may be followed by a note).
    var buttons = [];
    for (var i = state.transcript.length - 1; i >= 0 && !state.outbox; i--) {
      var entry = state.transcript[i];
      if (entry.from !== "bot") break;
      if (entry.buttons && entry.buttons.length) { buttons = entry.buttons; break; }
    }
    buttons.forEach(function (b) {
      choices.appendChild(el("button", {
        type: "button", class: "ccw-btn ccw-choice", text: b.title,
        onclick: function () { send(b.payload, b.title, { focusInput: true }); }
      }));
    });
    choices.hidden = buttons.length === 0;
    scrollDown(); // showing the choices shrinks the log: keep the newest message in view
  }

  function setBusy(busy) {
    state.busy = busy;
    typing.hidden = !busy;
    log.setAttribute("aria-busy", busy ? "true" : "false");
    sendBtn.disabled = busy;
    Array.prototype.forEach.call(choices.querySelectorAll("button"), function (b) { b.disabled = busy; });
    humanBtn.disabled = busy;
    restartBtn.disabled = busy;
    eraseBtn.disabled = busy;
    scrollDown();
  }

  function showError(message) {
    statusText.textContent = message;
    retryBtn.hidden = false;
    statusBox.hidden = false;
    scrollDown();
  }
  function clearError() {
    statusBox.hidden = true;
    statusText.textContent = "";
  }

  // ---- talking to the server -----------------------------------------------------------------
  // kind: "say" (shown as the visitor's words), "hidden" (e.g. /greet), "restart" (clears on success)
  function send(message, title, opts) {
    opts = opts || {};
    if (state.busy) return false;
    if (state.outbox) { retry(); return false; }
    message = String(message || "");
    if (!message.trim()) return false;
    // One id per message, kept across retries: the server answers a retry of a message it already
    // processed with the stored reply instead of applying it again (to the next question).
    var item = { message: message, title: title || message, kind: opts.kind || "say", id: newMessageId(), attempts: 0 };
    state.outbox = item;
    if (item.kind === "say") append({ from: "user", text: item.title });
    save();
    renderChoices();
    deliver(item);
    if (opts.focusInput) input.focus();
    return true;
  }

  function retry() {
    if (!state.outbox || state.busy) return;
    var last = state.transcript[state.transcript.length - 1];
    if (last && last.failed) { delete last.failed; }
    renderAll();
    deliver(state.outbox);
  }

  function deliver(item) {
    if (!item.id) { item.id = newMessageId(); item.attempts = 0; }  // an outbox saved by an older widget
    clearError();
    setBusy(true);
    var failed = function (message) {
      setBusy(false);
      if (item.kind === "say") {
        var last = state.transcript[state.transcript.length - 1];
        if (last && last.from === "user") last.failed = true;
      }
      save();
      renderAll();
      showError(message);
    };
    var request;
    try {
      request = fetch(SERVER + "/chat", {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: state.sender, message: item.message, message_id: item.id, retry: item.attempts > 0 })
      });
      item.attempts += 1;
      save();
    } catch (e) {
      failed("We couldn't reach the assistant. Your message was kept: press Retry to send it again.");
      return;
    }
    request.then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) { return { res: res, body: body }; });
    }).then(function (r) {
      if (r.res.status === 400 || r.res.status === 413 || (r.body && r.body.error === "message_too_long")) {
        // The message itself was refused: retrying it will not help, so hand it back for editing.
        setBusy(false);
        if (item.kind === "say") {
          var last = state.transcript[state.transcript.length - 1];
          if (last && last.from === "user") state.transcript.pop();
          input.value = item.message;
        }
        state.outbox = null;
        save();
        renderAll();
        showFixable((r.body && r.body.message) || "That message couldn't be sent. Please change it and try again.");
        return;
      }
      if (!r.res.ok) {
        // A failed turn may still carry something the visitor must see at once (crisis resources).
        ((r.body && r.body.messages) || []).forEach(function (m) {
          if (m.text) append({ from: "bot", text: m.text, buttons: [] });
        });
        failed(((r.body && r.body.message) || "The assistant can't be reached right now.") + " Your message was kept: press Retry to send it again.");
        return;
      }
      state.outbox = null;
      if (item.kind === "restart") state.transcript = [];
      setBusy(false);
      var messages = (r.body && r.body.messages) || [];
      if (item.kind === "restart") renderAll();
      messages.forEach(function (m) {
        if (!m.text && !(m.buttons && m.buttons.length)) return;
        append({ from: "bot", text: m.text || "", buttons: m.buttons || [] });
      });
      save();
      renderChoices();
    }, function () {
      failed("We couldn't reach the assistant. Check your connection; your message was kept: press Retry to send it again.");
    });
  }

  function showFixable(message) {
    statusText.textContent = message;
    statusBox.hidden = false;
    retryBtn.hidden = true;
  }

  // ---- opening, closing, crisis panel --------------------------------------------------------
  function openChat(focus) {
    state.open = true;
    panel.hidden = false;
    dock.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    root.classList.add("ccw-is-open");
    save();
    renderAll();
    if (state.outbox && !state.busy) {
      // A message from before a reload was still on its way: offer to send it, never drop it.
      var last = state.transcript[state.transcript.length - 1];
      if (state.outbox.kind === "say" && last && last.from === "user") last.failed = true;
      renderAll();
      showError("Your last message may not have been sent. Press Retry to send it again.");
    }
    if (!state.greeted && !state.outbox) {
      state.greeted = true;
      save();
      send("/greet", "", { kind: "hidden" });
    }
    if (focus !== false) input.focus();
  }

  function closeChat() {
    state.open = false;
    panel.hidden = true;
    dock.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    root.classList.remove("ccw-is-open");
    save();
    launcher.focus();
  }

  var crisisOpener = null;
  function openCrisis(opener) {
    crisisOpener = opener || null;
    crisis.hidden = false;
    crisisDockBtn.setAttribute("aria-expanded", "true");
    crisisHeadBtn.setAttribute("aria-expanded", "true");
    crisisTitle.focus();
  }
  function closeCrisis() {
    crisis.hidden = true;
    crisisDockBtn.setAttribute("aria-expanded", "false");
    crisisHeadBtn.setAttribute("aria-expanded", "false");
    var target = crisisOpener && !crisisOpener.closest("[hidden]") ? crisisOpener : (state.open ? input : launcher);
    target.focus();
  }
  function toggleCrisis(opener) { if (crisis.hidden) openCrisis(opener); else closeCrisis(); }

  // ---- events --------------------------------------------------------------------------------
  launcher.addEventListener("click", function () { openChat(); });
  closeBtn.addEventListener("click", closeChat);
  crisisDockBtn.addEventListener("click", function () { toggleCrisis(crisisDockBtn); });
  crisisHeadBtn.addEventListener("click", function () { toggleCrisis(crisisHeadBtn); });
  crisisClose.addEventListener("click", closeCrisis);
  retryBtn.addEventListener("click", function () { retry(); });
  humanBtn.addEventListener("click", function () { send("/request_human", "Talk to a person", { focusInput: true }); });
  // asks once for confirmation in the chat (data/rules/privacy.yml) before anything is erased
  eraseBtn.addEventListener("click", function () { send("/erase_data", "Delete my data", { focusInput: true }); });
  restartBtn.addEventListener("click", function () { send("/restart", "", { kind: "restart", focusInput: true }); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    if (state.busy) return; // keep the text in the box; nothing is lost
    if (state.outbox) { retry(); return; } // the earlier message goes first; this one stays in the box
    if (send(text.trim(), text.trim())) {
      input.value = "";
      autosize();
    }
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") form.requestSubmit(); else sendBtn.click();
    }
  });
  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
  }
  input.addEventListener("input", autosize);

  root.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    if (!crisis.hidden) { event.preventDefault(); closeCrisis(); }
    else if (state.open && panel.contains(document.activeElement)) { event.preventDefault(); closeChat(); }
  });

  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest ? event.target.closest("[data-chat-open]") : null;
    if (target) { event.preventDefault(); openChat(); }
  });

  // ---- start ---------------------------------------------------------------------------------
  function start() {
    loadStyles();
    document.body.appendChild(root);
    if (state.open) openChat(false);
  }

  window.ClinicChat = {
    __loaded: true,
    open: function () { openChat(); },
    close: function () { closeChat(); },
    crisis: function () { openCrisis(null); }
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
