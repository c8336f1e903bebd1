// The landing and 404 pages' choices, in the storage the editions read:
// - the framework, under sphinx-design's key for the `framework` tab group
//   (see d2l-site.js), so that every page opens on its tabs;
// - the colour mode, under the pydata theme's key `mode`;
// - the edition last chosen (`d2l-edition`), which the landing page offers
//   next time instead of the one matching the browser's languages.
// Nothing here navigates: the reader follows a link or does not.
(() => {
  "use strict";

  const FRAMEWORK_KEY = "sphinx-design-tab-id-framework";
  const EDITION_KEY = "d2l-edition";
  const MODE_KEY = "mode";
  const MODES = ["auto", "light", "dark"];

  // Storage may be blocked (privacy settings); choices then last a page.
  const load = (key) => {
    try {
      return localStorage.getItem(key);
    } catch (err) {
      return null;
    }
  };
  const store = (key, value) => {
    try {
      localStorage.setItem(key, value);
    } catch (err) {
      // see load()
    }
  };

  // Colour mode: the theme's three modes, in a cycle.
  const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
  const applyMode = (mode) => {
    const root = document.documentElement;
    root.dataset.mode = mode;
    root.dataset.theme = mode === "auto" ? (darkQuery.matches ? "dark" : "light") : mode;
  };
  darkQuery.addEventListener("change", () => applyMode(document.documentElement.dataset.mode));

  // Edition: the one chosen before, else the first of the browser's
  // languages that an edition is written in (by primary subtag).
  const cards = () => [...document.querySelectorAll(".d2l-edition[data-edition]")];
  const fromLanguages = () => {
    for (const tag of navigator.languages || [navigator.language]) {
      const primary = String(tag).toLowerCase().split("-")[0];
      const card = cards().find((c) => c.lang.toLowerCase().split("-")[0] === primary);
      if (card) return card.dataset.edition;
    }
    return null;
  };
  const suggest = () => {
    const stored = load(EDITION_KEY);
    const remembered = cards().some((c) => c.dataset.edition === stored) ? stored : null;
    const edition = remembered || fromLanguages();
    document.documentElement.dataset.suggested = edition || "";
    document.querySelectorAll(".d2l-suggestion").forEach((offer) => {
      offer.hidden = offer.dataset.edition !== edition;
      const why = offer.querySelector(".d2l-why");
      why.textContent = remembered ? why.dataset.remembered : why.dataset.language;
    });
    cards().forEach((c) => c.classList.toggle("d2l-suggested", c.dataset.edition === edition));
  };

  // Framework: the Colab link of each chapter and the archive to feature.
  const inputs = () => [...document.querySelectorAll('input[name="framework"]')];
  const colabKey = (framework) => "colab" + framework[0].toUpperCase() + framework.slice(1);
  const showFramework = (framework) => {
    document.documentElement.dataset.framework = framework;
    inputs().forEach((input) => (input.checked = input.value === framework));
    document.querySelectorAll("a.d2l-colab").forEach((link) => {
      const url = link.dataset[colabKey(framework)];
      link.hidden = !url;
      if (url) link.href = url;
    });
    document.querySelectorAll(".d2l-archives li[data-framework]").forEach((item) => {
      item.classList.toggle("d2l-chosen", item.dataset.framework === framework);
    });
  };

  // The 404 page adds this script itself, possibly after the document is read.
  const whenReady = (run) =>
    document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", run) : run();

  whenReady(() => {
    suggest();
    const offered = inputs().map((input) => input.value);
    const stored = load(FRAMEWORK_KEY);
    const checked = inputs().find((input) => input.checked);
    if (offered.length) showFramework(offered.includes(stored) ? stored : checked.value);

    const modeButton = document.querySelector(".d2l-mode");
    if (modeButton) {
      modeButton.addEventListener("click", () => {
        const current = MODES.indexOf(document.documentElement.dataset.mode);
        const next = MODES[(current + 1) % MODES.length];
        store(MODE_KEY, next);
        applyMode(next);
      });
    }
  });

  document.addEventListener("change", (event) => {
    if (event.target.name === "framework") {
      store(FRAMEWORK_KEY, event.target.value);
      showFramework(event.target.value);
    }
  });

  // Following any link of an edition (its button, a chapter, a download)
  // chooses that edition.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a");
    const holder = link && link.closest("[data-edition]");
    if (holder) store(EDITION_KEY, holder.dataset.edition);
  });
})();
