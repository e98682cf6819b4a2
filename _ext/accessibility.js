/* Screen readers and keyboards: see _ext/accessibility.py. Loaded after sphinx-togglebutton,
   so this runs after it has made its fold buttons (both wait for DOMContentLoaded). */
const a11yWhenLoaded = cb => (document.readyState !== 'loading' ? cb() : document.addEventListener('DOMContentLoaded', cb));

a11yWhenLoaded(() => {
  // A fold button (a solution's) is named after what it folds, "Solution to Exercise 1.3.1"
  // or "연습 문제 1.3.1 풀이", not "Toggle hidden content" in English on every page; its
  // chevron is decoration.
  document.querySelectorAll('.admonition.toggle > .admonition-title > button.toggle-button').forEach(button => {
    const title = button.parentElement.textContent.replace(/\s+/g, ' ').trim();
    if (title) button.setAttribute('aria-label', title);
    button.querySelectorAll('svg').forEach(svg => svg.setAttribute('aria-hidden', 'true'));
  });
  // MyST-NB's folded code cells (tag hide-cell): the summary shows "Show code cell source" but
  // carries aria-label="Toggle hidden content", so a speech-input user could not say what they
  // see. Without the label the summary is named by its visible words.
  document.querySelectorAll('details.hide > summary[aria-label]').forEach(summary => {
    if (summary.textContent.trim()) summary.removeAttribute('aria-label');
  });
});
