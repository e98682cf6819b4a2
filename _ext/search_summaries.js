/* Search summaries without the page's header buttons, print-only table of contents and TeX
   delimiters: see _ext/search_summaries.py. Runs before Sphinx's search starts (both wait for
   DOMContentLoaded; this one is registered first). */
document.addEventListener('DOMContentLoaded', () => {
  if (typeof Search === 'undefined' || !Search.htmlToText) return;
  const pageText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, 'text/html');
    page.querySelectorAll('.bd-header-article, #jb-print-docs-body, .prev-next-footer').forEach(el => el.remove());
    // formulas are not typeset in a summary: drop the TeX delimiters \( \) \[ \] $$
    return pageText(page.documentElement.outerHTML, anchor).replace(/\\[()[\]]|\$\$/g, '');
  };
});
