// d2l_site: the reader's framework choice for the notebook links and the
// PDFs in the download menu, the edition chosen with the edition switch (which the landing page suggests
// next time), strict AND across search terms, search excerpts from the
// article alone, Korean copy-button tooltips.
//
// sphinx-design (design-tabs.js) already syncs every `:sync-group: framework`
// tab-set on a page, stores the choice in localStorage and honours
// `?framework=` on pages that have such tabs. This file follows that choice
// with the per-framework notebook links, and stores `?framework=` also from
// pages without tabs, in the same storage key.
(() => {
  "use strict";

  const GROUP = "framework";

  // sphinx-design's key prefix, configurable there; "" disables persistence.
  const designTabs = document.querySelector("script[data-sd-tabs-storage-prefix]");
  const prefix = designTabs
    ? designTabs.getAttribute("data-sd-tabs-storage-prefix")
    : "sphinx-design-tab-id-";

  // Storage may be blocked (privacy settings, file://); the choice then
  // lasts for this page only.
  const load = () => {
    if (!prefix) return null;
    try {
      return localStorage.getItem(prefix + GROUP);
    } catch (err) {
      return null;
    }
  };
  const store = (framework) => {
    if (!prefix) return;
    try {
      localStorage.setItem(prefix + GROUP, framework);
    } catch (err) {
      // see load()
    }
  };

  // Show one framework's links per block: the requested one if the page
  // has it, else the first (which is also the tab shown by default).
  const showNotebooks = (framework) => {
    document.querySelectorAll(".d2l-notebooks").forEach((block) => {
      const items = [...block.querySelectorAll(".d2l-notebook")];
      const shown =
        items.find((item) => item.dataset.framework === framework) || items[0];
      items.forEach((item) => (item.hidden = item !== shown));
    });
  };

  // The download menu lists the PDF of the chosen framework first.
  const PDF_LINK = '.dropdown-download-buttons a[class*="btn-download-book-pdf-"]';
  const orderPdfs = (framework) => {
    const links = [...document.querySelectorAll(PDF_LINK)];
    const chosen = links.find((link) =>
      link.classList.contains(`btn-download-book-pdf-${framework}-button`));
    if (!chosen || chosen === links[0]) return;
    const first = links[0].closest("li");
    first.parentNode.insertBefore(chosen.closest("li"), first);
  };

  const follow = (framework) => {
    showNotebooks(framework);
    orderPdfs(framework);
  };

  const checkedTab = () => {
    const label = document.querySelector(
      `.sd-tab-set > input:checked + label[data-sync-group="${GROUP}"]`
    );
    return label ? label.dataset.syncId : null;
  };

  // searchtools.js requires every query term on a page only while all terms
  // are longer than 2 characters; mixed with a longer one, shorter terms
  // become optional. CJK bigrams are 2 characters, so 'VGG 블록' would match
  // pages without 블록: keep only results that hold every term.
  const requireAllTerms = () => {
    if (typeof Search === "undefined" || Search.d2lStrict) return;
    const performTermsSearch = Search.performTermsSearch;
    Search.performTermsSearch = (searchTerms, excludedTerms) => {
      const index = Search._index;
      // The documents holding a term, by the lookup searchtools.js uses:
      // exact for terms of up to 2 characters, else any term containing it.
      const docsWith = (term) => {
        const docs = new Set();
        for (const map of [index.terms, index.titleterms]) {
          const keys =
            term.length > 2 ? Object.keys(map).filter((key) => key.includes(term)) : [term];
          keys.forEach((key) => [].concat(map[key] ?? []).forEach((doc) => docs.add(doc)));
        }
        return docs;
      };
      const required = [...searchTerms].map(docsWith);
      return performTermsSearch(searchTerms, excludedTerms).filter((result) => {
        const doc = index.docnames.indexOf(result[0]);
        return required.every((docs) => docs.has(doc));
      });
    };
    Search.d2lStrict = true;
  };

  // The book theme's [role=main], from which searchtools.js cuts each
  // result's excerpt, also holds the header buttons, the print-only title
  // and contents, the notebook links and the page's table of contents, so
  // excerpts read '...pdf 블록을 쌓아 … 내용...': leave them out.
  const PAGE_FURNITURE =
    ".bd-header-article, #jb-print-docs-body, .d2l-notebooks, .bd-sidebar-secondary";
  const excerptFromArticle = () => {
    if (typeof Search === "undefined" || Search.d2lExcerpts) return;
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const page = new DOMParser().parseFromString(htmlString, "text/html");
      page.querySelectorAll(PAGE_FURNITURE).forEach((element) => element.remove());
      return htmlToText(page.documentElement.outerHTML, anchor);
    };
    Search.d2lExcerpts = true;
  };

  // Patch as soon as searchtools.js has run: now if it came first, else
  // before Search.init runs its first query on DOMContentLoaded.
  requireAllTerms();
  excerptFromArticle();

  // sphinx-copybutton (loaded before us in Jupyter Book) picks its tooltip
  // texts from its global `messages` by <html lang> when it loads, and has
  // no Korean; its buttons are made on DOMContentLoaded, so add it now.
  if (typeof messages === "object" && typeof locale === "string" && !messages.ko) {
    messages.ko = {
      copy: "복사",
      copy_to_clipboard: "클립보드에 복사",
      copy_success: "복사했습니다!",
      copy_failure: "복사하지 못했습니다",
    };
    if (document.documentElement.lang === "ko") locale = "ko";
  }

  document.addEventListener("DOMContentLoaded", () => {
    requireAllTerms();
    excerptFromArticle();
    const requested = new URLSearchParams(window.location.search).get(GROUP);
    if (requested) store(requested);
    follow(requested || load() || checkedTab());
  });

  // The landing page (scripts/render/landing) suggests the edition stored here.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.d2l-lang-switch[data-edition]");
    if (!link) return;
    try {
      localStorage.setItem("d2l-edition", link.dataset.edition);
    } catch (err) {
      // see load()
    }
  });

  // design-tabs.js syncs the other tab-sets without events, so a single
  // change event marks each choice the reader makes.
  document.addEventListener("change", (event) => {
    const label = event.target.nextElementSibling;
    if (label && label.dataset && label.dataset.syncGroup === GROUP) {
      follow(label.dataset.syncId);
    }
  });
})();
