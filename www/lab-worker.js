// The teaching lab's requests, handled in the engine's Web Worker (worker.js appends them to its
// request handlers). Each is a thin call into the engine: the worker owns the model and MNIST.

import { forwardWithWeights, lossSurface, optimizerPath, transformMatrix, preprocessDigit } from '../pkg/convlab.js';

/** Histogram bins of the gradient-flow panel. */
const GRADIENT_BINS = 21;

/** The feature maps of the model for the image last run through it: `[{layer, name,
 * class_name, shape, values}]`. */
function featureMaps(playground) {
  return playground.featureMapLayers().map((map) => ({ ...map, values: playground.layerOutput(map.layer) }));
}

/** The lab's request handlers, over the worker's `playground()` (the wasm `Playground`). */
export function labMethods(playground) {
  return {
    /** The output of a one-layer (or any) spec with the given weights: the animator's check. */
    forwardWithWeights({ spec, weights, input, batch }) {
      return forwardWithWeights(spec, Float32Array.from(weights), Float32Array.from(input), batch);
    },

    /** `{count, accuracy, matrix, per_class, most_confidently_wrong}` on the first `count` test
     * images, with the pixels of the gallery's images. */
    evaluateConfusion({ count }) {
      const result = playground().evaluateConfusion(count);
      const indices = Uint32Array.from(result.most_confidently_wrong.map((image) => image.index));
      return { ...result, wrong_pixels: playground().testImages(indices) };
    },

    /** The images of one confusion-matrix cell, with their pixels (784 bytes each). */
    confusionCell({ label, predicted }) {
      const images = playground().confusionCell(label, predicted);
      return { label, predicted, images, pixels: playground().testImages(Uint32Array.from(images.map((image) => image.index))) };
    },

    /** Test image `index` as it is and transformed, the 3×3 matrix and the prediction. */
    transformed({ index, angle, scale, shiftX, shiftY }) {
      const probabilities = playground().predictTransformed(index, angle, scale, shiftX, shiftY);
      return {
        index,
        label: playground().testLabel(index),
        original: playground().testImage(index),
        image: playground().lastImage(),
        matrix: transformMatrix(angle, scale, shiftX, shiftY),
        probabilities,
      };
    },

    /** The accuracy on the first `count` test images rotated by `angle` degrees. */
    rotationAccuracy({ angle, count }) {
      return playground().rotationAccuracy(angle, count);
    },

    /** A drawing prepared like MNIST, its prediction and feature maps; `{image: null}` when
     * nothing is drawn. */
    drawDigit({ pixels, height, width }) {
      const image = preprocessDigit(pixels, height, width);
      if (!image) return { image: null };
      const probabilities = playground().predictImage(image);
      return { image, probabilities, maps: featureMaps(playground()) };
    },

    /** The loss surface of the optimizer playground. */
    lossSurface({ size }) {
      return lossSurface(size);
    },

    /** `[{name, points, losses}]`: each optimizer's path from `start`. */
    optimizerPaths({ start, optimizers, steps }) {
      return optimizers.map(({ name, config }) => ({
        name,
        ...optimizerPath(JSON.stringify(config), start[0], start[1], steps),
      }));
    },
  };
}

/** While training, with every report of batches (at most every 50 ms): sends `gradient-stats`
 * (`{batch, layers}`) of the last batch. */
export function reportGradients(playground, post, batch) {
  post('gradient-stats', { batch, layers: playground.gradientStats(GRADIENT_BINS) });
}
