// What this copy of the playground holds. This is the served playground's: every dataset in full,
// in files beside the page. `cargo xtask bundle` writes the single-file playground with an edition
// of its own in place of this module (generated from the data it embeds: an MNIST subset, no
// Fashion-MNIST), so the views below read the sizes and the datasets from here, never assume them.

/** True in the single-file playground (`dist/convlab.html`, opened from disk), false here. */
export const SINGLE_FILE = false;

/** The datasets this copy can load (names of datasets.js). */
export const DATASETS_HERE = ['mnist', 'fashion-mnist'];

/** Training images of each dataset here: MNIST's and Fashion-MNIST's 60,000. */
export const TRAIN_IMAGES = 60000;

/** Test images of each dataset here: MNIST's and Fashion-MNIST's 10,000. */
export const TEST_IMAGES = 10000;
