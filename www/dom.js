// The one DOM helper the views share: elements are built with DOM calls and textContent, never
// from HTML strings, so no data (layer names, engine messages) is ever parsed as markup.

/**
 * `element('button', {type: 'button', text: 'Train', dataset: {layer: '1'}}, child, …)`.
 * Attributes that are null, undefined or false are left out; true sets an empty attribute.
 */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children);
  return node;
}
