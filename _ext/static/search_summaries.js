/* Search results that start with the page (listed in _config.yml's html_js_files).
   Sphinx's search shows, under each result, the text of the page's role="main" element, which
   in this theme begins with the header buttons and the print-only table of contents
   (".ipynb .pdf Contents 1.5.1 ..."). This leaves those out of the summaries, and the TeX
   delimiters of formulas, which are not typeset there. It runs before Sphinx's search starts:
   both wait for DOMContentLoaded, and searchtools.js comes after every html_js_files entry. */
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
