/**
 * An `m × k` by `k × n` matrix product.
 */
export class GemmBench {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        GemmBenchFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_gemmbench_free(ptr, 0);
    }
    /**
     * Floating-point operations of one product.
     * @returns {number}
     */
    flops() {
        const ret = wasm.gemmbench_flops(this.__wbg_ptr);
        return ret;
    }
    /**
     * The largest relative difference between the last product and a naive one.
     * @returns {number}
     */
    maxError() {
        const ret = wasm.gemmbench_maxError(this.__wbg_ptr);
        return ret;
    }
    /**
     * Operands of shape `m × k` and `k × n`.
     * @param {number} m
     * @param {number} k
     * @param {number} n
     */
    constructor(m, k, n) {
        const ret = wasm.gemmbench_new(m, k, n);
        this.__wbg_ptr = ret;
        GemmBenchFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Computes the product `count` times.
     * @param {number} count
     */
    runs(count) {
        wasm.gemmbench_runs(this.__wbg_ptr, count);
    }
}
if (Symbol.dispose) GemmBench.prototype[Symbol.dispose] = GemmBench.prototype.free;

/**
 * A preset predicting a batch of synthetic images.
 */
export class InferenceBench {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        InferenceBenchFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_inferencebench_free(ptr, 0);
    }
    /**
     * Prepares `preset` to predict batches of `batch_size`.
     * @param {string} preset
     * @param {number} batch_size
     */
    constructor(preset, batch_size) {
        const val2 = +batch_size;
        const ptr0 = passStringToWasm0(preset, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.inferencebench_new(ptr0, len0, val2);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        InferenceBenchFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Predicts the batch `count` times.
     * @param {number} count
     */
    runs(count) {
        wasm.inferencebench_runs(this.__wbg_ptr, count);
    }
}
if (Symbol.dispose) InferenceBench.prototype[Symbol.dispose] = InferenceBench.prototype.free;

/**
 * Everything one Web Worker owns: the data, the model, and the training run in progress.
 */
export class Playground {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        PlaygroundFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_playground_free(ptr, 0);
    }
    /**
     * Second half of a step: writes the combined mean gradients `flat`, applies the optimizer
     * and logs the batch with the combined `stats` (`{loss_sum, correct, size}`). Returns the
     * `Step`; the run ends (as in `trainBatches`) when it is the last.
     * @param {Float32Array | number[]} flat
     * @param {any} stats
     * @returns {any}
     */
    applyGradients(flat, stats) {
        const ptr0 = passArrayF32ToWasm0(flat, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.playground_applyGradients(this.__wbg_ptr, ptr0, len0, stats);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * Builds the model of `spec_json` with fresh weights from `seed`, replacing the current one
     * (a training run in progress is dropped). Returns the architecture as `checkModel` does.
     * @param {string} spec_json
     * @param {bigint} seed
     * @returns {any}
     */
    buildModel(spec_json, seed) {
        const val2 = BigInt.asIntN(64, seed);
        const ptr0 = passStringToWasm0(spec_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.playground_buildModel(this.__wbg_ptr, ptr0, len0, val2);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * Data-parallel training, first half of a step: forward and backward on shard `shard` of
     * `shards` of the current batch. Returns `{loss_sum, correct, size}`.
     * @param {number} shard
     * @param {number} shards
     * @returns {any}
     */
    computeGradients(shard, shards) {
        const ret = wasm.playground_computeGradients(this.__wbg_ptr, shard, shards);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The images of one cell of the last confusion matrix: `[{index, label, predicted,
     * probabilities}]` in test-set order.
     * @param {number} label
     * @param {number} predicted
     * @returns {any}
     */
    confusionCell(label, predicted) {
        const ret = wasm.playground_confusionCell(this.__wbg_ptr, label, predicted);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The confusion matrix of the model on the first `count` test images, with per-class
     * accuracy and the most confidently wrong predictions:
     * `{count, accuracy, matrix, per_class, most_confidently_wrong}`.
     * @param {number} count
     * @returns {any}
     */
    evaluateConfusion(count) {
        const ret = wasm.playground_evaluateConfusion(this.__wbg_ptr, count);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * Loss and accuracy on the first `count` test images (`{loss, accuracy}`).
     * @param {number} count
     * @param {string} loss_name
     * @returns {any}
     */
    evaluateTest(count, loss_name) {
        const val2 = +count;
        const ptr0 = passStringToWasm0(loss_name, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.playground_evaluateTest(this.__wbg_ptr, val2, ptr0, len0);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * `[{layer, name, class_name, shape}]` of every Conv2D and pooling layer, whose outputs for
     * the last image run through the model `layerOutput` returns.
     * @returns {any}
     */
    featureMapLayers() {
        const ret = wasm.playground_featureMapLayers(this.__wbg_ptr);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * For test image `index`: `[{layer, name, class_name, shape}]` of every Conv2D and pooling
     * layer, with the NHWC values of those layers concatenated in `values` (call
     * `featureMapValues` after this).
     * @param {number} index
     * @returns {any}
     */
    featureMaps(index) {
        const ret = wasm.playground_featureMaps(this.__wbg_ptr, index);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * Per layer with trainable weights: `{layer, name, class_name, weights, gradients}`, each
     * `{norm, mean_abs, limit, histogram}` with `bins` bins; the gradients of the last batch.
     * @param {number} bins
     * @returns {any}
     */
    gradientStats(bins) {
        const ret = wasm.playground_gradientStats(this.__wbg_ptr, bins);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The history (`{epochs, batches, best_epoch, stopped_epoch}`) of the run in progress, else
     * of the last run of this model; `null` before the first run.
     * @returns {any}
     */
    history() {
        const ret = wasm.playground_history(this.__wbg_ptr);
        return ret;
    }
    /**
     * Whether a training run is in progress.
     * @returns {boolean}
     */
    isTraining() {
        const ret = wasm.playground_isTraining(this.__wbg_ptr);
        return ret !== 0;
    }
    /**
     * The kernel of Conv2D layer `layer` (1-based) as `[kh, kw, in, out]` values; empty for a
     * layer without a kernel.
     * @param {number} layer
     * @returns {Float32Array}
     */
    kernel(layer) {
        const ret = wasm.playground_kernel(this.__wbg_ptr, layer);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The image last run through the model (by `predictTransformed` or `predictImage`).
     * @returns {Float32Array}
     */
    lastImage() {
        const ret = wasm.playground_lastImage(this.__wbg_ptr);
        return ret;
    }
    /**
     * The output of layer `layer` (1-based) for the last image run through the model, NHWC.
     * @param {number} layer
     * @returns {Float32Array}
     */
    layerOutput(layer) {
        const ret = wasm.playground_layerOutput(this.__wbg_ptr, layer);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * Loads MNIST from the four idx files (gzipped or not); returns `{train, test}` sizes.
     * @param {Uint8Array | number[]} train_images
     * @param {Uint8Array | number[]} train_labels
     * @param {Uint8Array | number[]} test_images
     * @param {Uint8Array | number[]} test_labels
     * @returns {any}
     */
    loadMnist(train_images, train_labels, test_images, test_labels) {
        let ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3;
        try {
            ptr0 = passArray8ToWasm0(train_images, wasm.__wbindgen_malloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passArray8ToWasm0(train_labels, wasm.__wbindgen_malloc);
            len1 = WASM_VECTOR_LEN;
            ptr2 = passArray8ToWasm0(test_images, wasm.__wbindgen_malloc);
            len2 = WASM_VECTOR_LEN;
            ptr3 = passArray8ToWasm0(test_labels, wasm.__wbindgen_malloc);
            len3 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr3) { wasm.__wbindgen_free(ptr3, len3 * 1, 1); }
            if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 1, 1); }
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.playground_loadMnist(this.__wbg_ptr, ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * Replaces the model (and drops a run in progress) with a TensorFlow.js Layers model: the
     * `model_json` text and `shards`, an object from each weights path named in its manifest to
     * that file's bytes (a Uint8Array). A model.json without a manifest gets fresh weights from
     * `seed`. Returns the architecture as `checkModel` does.
     * @param {string} model_json
     * @param {object} shards
     * @param {bigint} seed
     * @returns {any}
     */
    loadModel(model_json, shards, seed) {
        const val2 = BigInt.asIntN(64, seed);
        const ptr0 = passStringToWasm0(model_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.playground_loadModel(this.__wbg_ptr, ptr0, len0, shards, val2);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The model as TensorFlow.js files: `model.json` text.
     * @returns {string}
     */
    modelJson() {
        let deferred2_0;
        let deferred2_1;
        try {
            const ret = wasm.playground_modelJson(this.__wbg_ptr);
            var ptr1 = ret[0];
            var len1 = ret[1];
            if (ret[3]) {
                ptr1 = 0; len1 = 0;
                throw takeFromExternrefTable0(ret[2]);
            }
            deferred2_0 = ptr1;
            deferred2_1 = len1;
            return getStringFromWasm0(ptr1, len1);
        } finally {
            wasm.__wbindgen_free(deferred2_0, deferred2_1, 1);
        }
    }
    /**
     * The model's weights file bytes (`group1-shard1of1.bin`).
     * @returns {Uint8Array}
     */
    modelWeights() {
        const ret = wasm.playground_modelWeights(this.__wbg_ptr);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * An empty playground: no data, no model.
     */
    constructor() {
        const ret = wasm.playground_new();
        this.__wbg_ptr = ret;
        PlaygroundFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * The model's class probabilities for `image` (784 values in [0, 1], e.g. a preprocessed
     * drawing); `layerOutput` then returns its feature maps.
     * @param {Float32Array | number[]} image
     * @returns {Float32Array}
     */
    predictImage(image) {
        const ptr0 = passArrayF32ToWasm0(image, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.playground_predictImage(this.__wbg_ptr, ptr0, len0);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The class probabilities for test image `index` rotated by `angle` degrees and scaled by
     * `scale` about its centre, then shifted by `(shift_x, shift_y)` pixels; `lastImage` then
     * returns the transformed image.
     * @param {number} index
     * @param {number} angle
     * @param {number} scale
     * @param {number} shift_x
     * @param {number} shift_y
     * @returns {Float32Array}
     */
    predictTransformed(index, angle, scale, shift_x, shift_y) {
        const ret = wasm.playground_predictTransformed(this.__wbg_ptr, index, angle, scale, shift_x, shift_y);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The model's class probabilities for test image `index`.
     * @param {number} index
     * @returns {Float32Array}
     */
    predict(index) {
        const ret = wasm.playground_predict(this.__wbg_ptr, index);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The gradients of the last `computeGradients`, flat, multiplied by `scale` (the shard size).
     * @param {number} scale
     * @returns {Float32Array}
     */
    readGradients(scale) {
        const ret = wasm.playground_readGradients(this.__wbg_ptr, scale);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The model's accuracy on the first `count` test images, all rotated by `angle` degrees.
     * @param {number} angle
     * @param {number} count
     * @returns {number}
     */
    rotationAccuracy(angle, count) {
        const ret = wasm.playground_rotationAccuracy(this.__wbg_ptr, angle, count);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
    /**
     * Replaces all weights from a flat array made by `weightsFlat` of the same architecture.
     * @param {Float32Array | number[]} flat
     */
    setWeightsFlat(flat) {
        const ptr0 = passArrayF32ToWasm0(flat, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.playground_setWeightsFlat(this.__wbg_ptr, ptr0, len0);
        if (ret[1]) {
            throw takeFromExternrefTable0(ret[0]);
        }
    }
    /**
     * Starts training the current model with `config_json` (a `TrainingConfig`) on the first
     * `train_size` training images. Returns `{batches_per_epoch}`.
     * @param {string} config_json
     * @param {number} train_size
     * @returns {any}
     */
    startTraining(config_json, train_size) {
        const val2 = +train_size;
        const ptr0 = passStringToWasm0(config_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.playground_startTraining(this.__wbg_ptr, ptr0, len0, val2);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * Ends the training run (Stop): the trained model stays, ready for predictions.
     */
    stopTraining() {
        wasm.playground_stopTraining(this.__wbg_ptr);
    }
    /**
     * Test image `index` as 784 floats in [0, 1] (row-major 28×28).
     * @param {number} index
     * @returns {Float32Array}
     */
    testImage(index) {
        const ret = wasm.playground_testImage(this.__wbg_ptr, index);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The pixels (bytes, 784 per image) of the test images at `indices`, back to back.
     * @param {Uint32Array | number[]} indices
     * @returns {Uint8Array}
     */
    testImages(indices) {
        const ptr0 = passArray32ToWasm0(indices, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.playground_testImages(this.__wbg_ptr, ptr0, len0);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The label of test image `index`.
     * @param {number} index
     * @returns {number}
     */
    testLabel(index) {
        const ret = wasm.playground_testLabel(this.__wbg_ptr, index);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0] >>> 0;
    }
    /**
     * Trains up to `max_batches` batches (fewer when the run ends) and returns their `Step`s.
     * @param {number} max_batches
     * @returns {any}
     */
    trainBatches(max_batches) {
        const ret = wasm.playground_trainBatches(this.__wbg_ptr, max_batches);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * All weights as one flat array (to start another worker from the same model).
     * @returns {Float32Array}
     */
    weightsFlat() {
        const ret = wasm.playground_weightsFlat(this.__wbg_ptr);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
}
if (Symbol.dispose) Playground.prototype[Symbol.dispose] = Playground.prototype.free;

/**
 * One training step of a preset, part by part.
 */
export class StepProfile {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        StepProfileFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_stepprofile_free(ptr, 0);
    }
    /**
     * Runs layer `index` backward `count` times.
     * @param {number} index
     * @param {number} count
     */
    backward(index, count) {
        wasm.stepprofile_backward(this.__wbg_ptr, index, count);
    }
    /**
     * Runs layer `index` forward `count` times.
     * @param {number} index
     * @param {number} count
     */
    forward(index, count) {
        wasm.stepprofile_forward(this.__wbg_ptr, index, count);
    }
    /**
     * `name (ClassName)` of each layer.
     * @returns {string[]}
     */
    layerNames() {
        const ret = wasm.stepprofile_layerNames(this.__wbg_ptr);
        var v1 = getArrayJsValueFromWasm0(ret[0], ret[1]);
        wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
        return v1;
    }
    /**
     * Builds `preset` for batches of `batch_size`.
     * @param {string} preset
     * @param {number} batch_size
     */
    constructor(preset, batch_size) {
        const val2 = +batch_size;
        const ptr0 = passStringToWasm0(preset, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.stepprofile_new(ptr0, len0, val2);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        StepProfileFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Runs the Adam update `count` times.
     * @param {number} count
     */
    update(count) {
        wasm.stepprofile_update(this.__wbg_ptr, count);
    }
}
if (Symbol.dispose) StepProfile.prototype[Symbol.dispose] = StepProfile.prototype.free;

/**
 * A preset training on batches of synthetic images.
 */
export class TrainingBench {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        TrainingBenchFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_trainingbench_free(ptr, 0);
    }
    /**
     * Prepares `preset` (`seed-cnn`) with batches of `batch_size`.
     * @param {string} preset
     * @param {number} batch_size
     */
    constructor(preset, batch_size) {
        const val2 = +batch_size;
        const ptr0 = passStringToWasm0(preset, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.trainingbench_new(ptr0, len0, val2);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        TrainingBenchFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Trains `count` batches.
     * @param {number} count
     */
    steps(count) {
        wasm.trainingbench_steps(this.__wbg_ptr, count);
    }
}
if (Symbol.dispose) TrainingBench.prototype[Symbol.dispose] = TrainingBench.prototype.free;

/**
 * Checks a model spec (JSON text of a Keras `modelTopology`) and returns every layer's shapes,
 * parameter counts and output-size formulas, the totals and the `model.summary()` text.
 * @param {string} spec_json
 * @returns {any}
 */
export function checkModel(spec_json) {
    const ptr0 = passStringToWasm0(spec_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    const len0 = WASM_VECTOR_LEN;
    const ret = wasm.checkModel(ptr0, len0);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return takeFromExternrefTable0(ret[0]);
}

/**
 * The largest relative difference between Conv2D's products and naive loops (see
 * [`conv_max_error`]).
 * @returns {number}
 */
export function convMaxError() {
    const ret = wasm.convMaxError();
    return ret;
}

/**
 * The test hook (used only by `tests/e2e/hardening-crash.test.mjs`, through the worker's
 * `crashForTest` request, which exists only on pages opened with `?test-hooks`): `panic`
 * panics; `out_of_memory` takes 256 MiB blocks until the 4 GiB of wasm32 memory run out, which
 * aborts as a real out-of-memory does. Either way this engine instance is dead afterwards.
 * @param {string} kind
 */
export function crashForTest(kind) {
    const ptr0 = passStringToWasm0(kind, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    const len0 = WASM_VECTOR_LEN;
    wasm.crashForTest(ptr0, len0);
}

/**
 * The default training settings (Keras defaults), as the page's controls start.
 * @returns {any}
 */
export function defaultTrainingConfig() {
    const ret = wasm.defaultTrainingConfig();
    return ret;
}

/**
 * The size guard's estimate for training `spec_json` with `training_json` (a `TrainingConfig`)
 * on `train_images` images at `flops_per_second` (0: the documented default rate): per layer
 * and in total, bytes, FLOPs per image and seconds per epoch, with `error` set when the engine
 * would refuse to train it.
 * @param {string} spec_json
 * @param {string} training_json
 * @param {number} train_images
 * @param {number} flops_per_second
 * @returns {any}
 */
export function estimateTraining(spec_json, training_json, train_images, flops_per_second) {
    const val3 = +train_images;
    const val4 = +flops_per_second;
    let ptr0, len0, ptr1, len1;
    try {
        ptr0 = passStringToWasm0(spec_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passStringToWasm0(training_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        len1 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
        throw e;
    }
    const ret = wasm.estimateTraining(ptr0, len0, ptr1, len1, val3, val4);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return takeFromExternrefTable0(ret[0]);
}

/**
 * The model of `spec_json` (a `modelTopology`) and the training settings `training_json` (a
 * `TrainingConfig`) as runnable tf.keras Python in `style` (`functional` or `sequential`),
 * loading `dataset` (`mnist` or `fashion-mnist`).
 * @param {string} spec_json
 * @param {string} training_json
 * @param {string} style
 * @param {string} dataset
 * @returns {string}
 */
export function exportKeras(spec_json, training_json, style, dataset) {
    let deferred6_0;
    let deferred6_1;
    try {
        let ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3;
        try {
            ptr0 = passStringToWasm0(spec_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(training_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
            ptr2 = passStringToWasm0(style, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len2 = WASM_VECTOR_LEN;
            ptr3 = passStringToWasm0(dataset, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len3 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr3) { wasm.__wbindgen_free(ptr3, len3 * 1, 1); }
            if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 1, 1); }
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.exportKeras(ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3);
        var ptr5 = ret[0];
        var len5 = ret[1];
        if (ret[3]) {
            ptr5 = 0; len5 = 0;
            throw takeFromExternrefTable0(ret[2]);
        }
        deferred6_0 = ptr5;
        deferred6_1 = len5;
        return getStringFromWasm0(ptr5, len5);
    } finally {
        wasm.__wbindgen_free(deferred6_0, deferred6_1, 1);
    }
}

/**
 * The size in bytes of the allocation that failed (out of memory), or 0 when none did.
 * @returns {number}
 */
export function failedAllocationBytes() {
    const ret = wasm.failedAllocationBytes();
    return ret;
}

/**
 * The output of `spec_json` for `input` (`batch` samples) with every weight taken from `weights`
 * (Keras `model.weights` order, flattened): the engine's side of the convolution animator.
 * @param {string} spec_json
 * @param {Float32Array | number[]} weights
 * @param {Float32Array | number[]} input
 * @param {number} batch
 * @returns {Float32Array}
 */
export function forwardWithWeights(spec_json, weights, input, batch) {
    const val4 = +batch;
    let ptr0, len0, ptr1, len1, ptr2, len2;
    try {
        ptr0 = passStringToWasm0(spec_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArrayF32ToWasm0(weights, wasm.__wbindgen_malloc);
        len1 = WASM_VECTOR_LEN;
        ptr2 = passArrayF32ToWasm0(input, wasm.__wbindgen_malloc);
        len2 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 4, 4); }
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 4, 4); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
        throw e;
    }
    const ret = wasm.forwardWithWeights(ptr0, len0, ptr1, len1, ptr2, len2, val4);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return takeFromExternrefTable0(ret[0]);
}

/**
 * Reads pasted Keras model code (never runs it) and returns the model it defines as
 * `checkModel` does. Throws `{code: 'keras.parse', message, line, column}` (1-based) at the first
 * thing it does not understand or the first layer that cannot be built.
 * @param {string} source
 * @returns {any}
 */
export function importKeras(source) {
    const ptr0 = passStringToWasm0(source, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    const len0 = WASM_VECTOR_LEN;
    const ret = wasm.importKeras(ptr0, len0);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return takeFromExternrefTable0(ret[0]);
}

/**
 * The optimizer playground's surface: `{bound, size, values, minima}`, `values` the loss on a
 * `size × size` grid over `[−bound, bound]²`, rows from `y = −bound` up.
 * @param {number} size
 * @returns {any}
 */
export function lossSurface(size) {
    const ret = wasm.lossSurface(size);
    return ret;
}

/**
 * The path `{points, losses}` of the optimizer `config_json` (Keras `{class_name, config}`) from
 * `(x, y)` over `steps` steps on the playground's surface.
 * @param {string} config_json
 * @param {number} x
 * @param {number} y
 * @param {number} steps
 * @returns {any}
 */
export function optimizerPath(config_json, x, y, steps) {
    const val2 = +x;
    const val3 = +y;
    const val4 = +steps;
    const ptr0 = passStringToWasm0(config_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    const len0 = WASM_VECTOR_LEN;
    const ret = wasm.optimizerPath(ptr0, len0, val2, val3, val4);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return takeFromExternrefTable0(ret[0]);
}

/**
 * The message of the panic that killed this engine (`panicked at src/…: …`), or undefined.
 * Safe to call after the trap: it takes the stored string and allocates nothing.
 * @returns {string | undefined}
 */
export function panicMessage() {
    const ret = wasm.panicMessage();
    let v1;
    if (ret[0] !== 0) {
        v1 = getStringFromWasm0(ret[0], ret[1]);
        wasm.__wbindgen_free(ret[0], ret[1] * 1, 1);
    }
    return v1;
}

/**
 * A drawing (`height × width` ink values in [0, 1]) prepared like MNIST as 28×28 values, or
 * `undefined` when nothing is drawn.
 * @param {Float32Array | number[]} pixels
 * @param {number} height
 * @param {number} width
 * @returns {Float32Array | undefined}
 */
export function preprocessDigit(pixels, height, width) {
    const val2 = +height;
    const val3 = +width;
    const ptr0 = passArrayF32ToWasm0(pixels, wasm.__wbindgen_malloc);
    const len0 = WASM_VECTOR_LEN;
    const ret = wasm.preprocessDigit(ptr0, len0, val2, val3);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return takeFromExternrefTable0(ret[0]);
}

/**
 * The lesson presets: `[{name, title, spec}]`.
 * @returns {any}
 */
export function presets() {
    const ret = wasm.presets();
    return ret;
}

/**
 * Installs the panic hook: a Rust panic's message goes to the console and is kept for the
 * worker to report (`crate::wasm_crash`).
 */
export function start() {
    wasm.start();
}

/**
 * The 3×3 matrix of the rotate / shift test for a 28×28 image (rows, last `[0, 0, 1]`).
 * @param {number} angle
 * @param {number} scale
 * @param {number} shift_x
 * @param {number} shift_y
 * @returns {any}
 */
export function transformMatrix(angle, scale, shift_x, shift_y) {
    const ret = wasm.transformMatrix(angle, scale, shift_x, shift_y);
    return ret;
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_Error_208446807d0d1e30: function(arg0, arg1) {
            const ret = Error(getStringFromWasm0(arg0, arg1));
            return ret;
        },
        __wbg_Number_ff192a72a0dcdf6d: function(arg0) {
            const ret = Number(arg0);
            return ret;
        },
        __wbg_String_8564e559799eccda: function(arg0, arg1) {
            const ret = String(arg1);
            const ptr1 = passStringToWasm0(ret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            const len1 = WASM_VECTOR_LEN;
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);
        },
        __wbg___wbindgen_bigint_get_as_i64_11da4b52cd0aedef: function(arg0, arg1) {
            const v = arg1;
            const ret = typeof(v) === 'bigint' ? v : undefined;
            getDataViewMemory0().setBigInt64((arg0 >>> 0) + 8 * 1, isLikeNone(ret) ? BigInt(0) : ret, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, !isLikeNone(ret), true);
        },
        __wbg___wbindgen_boolean_get_4f1baf9a00be3c74: function(arg0) {
            const v = arg0;
            const ret = typeof(v) === 'boolean' ? v : undefined;
            return isLikeNone(ret) ? 0xFFFFFF : ret ? 1 : 0;
        },
        __wbg___wbindgen_debug_string_f249a2a76caa9a55: function(arg0, arg1) {
            const ret = debugString(arg1);
            const ptr1 = passStringToWasm0(ret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            const len1 = WASM_VECTOR_LEN;
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);
        },
        __wbg___wbindgen_in_3f58a9d3b3a7eed2: function(arg0, arg1) {
            const ret = arg0 in arg1;
            return ret;
        },
        __wbg___wbindgen_is_bigint_5fa10641e039d3ef: function(arg0) {
            const ret = typeof(arg0) === 'bigint';
            return ret;
        },
        __wbg___wbindgen_is_object_8b968c3ab8e96595: function(arg0) {
            const val = arg0;
            const ret = typeof(val) === 'object' && val !== null;
            return ret;
        },
        __wbg___wbindgen_is_string_fc456fee5d3317de: function(arg0) {
            const ret = typeof(arg0) === 'string';
            return ret;
        },
        __wbg___wbindgen_is_undefined_be5b34249ff1fc15: function(arg0) {
            const ret = arg0 === undefined;
            return ret;
        },
        __wbg___wbindgen_jsval_eq_38d7bfbe4cc84039: function(arg0, arg1) {
            const ret = arg0 === arg1;
            return ret;
        },
        __wbg___wbindgen_jsval_loose_eq_b2f214e2e4b30e36: function(arg0, arg1) {
            const ret = arg0 == arg1;
            return ret;
        },
        __wbg___wbindgen_number_get_934b640d0889af78: function(arg0, arg1) {
            const obj = arg1;
            const ret = typeof(obj) === 'number' ? obj : undefined;
            getDataViewMemory0().setFloat64((arg0 >>> 0) + 8 * 1, isLikeNone(ret) ? 0 : ret, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, !isLikeNone(ret), true);
        },
        __wbg___wbindgen_string_get_7ce8eee7fd327545: function(arg0, arg1) {
            const obj = arg1;
            const ret = typeof(obj) === 'string' ? obj : undefined;
            var ptr1 = isLikeNone(ret) ? 0 : passStringToWasm0(ret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            var len1 = WASM_VECTOR_LEN;
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);
        },
        __wbg___wbindgen_throw_4c88d8bf264fd984: function(arg0, arg1) {
            throw new Error(getStringFromWasm0(arg0, arg1));
        },
        __wbg_error_757e9472f8410341: function(arg0, arg1) {
            let deferred0_0;
            let deferred0_1;
            try {
                deferred0_0 = arg0;
                deferred0_1 = arg1;
                console.error(getStringFromWasm0(arg0, arg1));
            } finally {
                wasm.__wbindgen_free(deferred0_0, deferred0_1, 1);
            }
        },
        __wbg_get_2080c49015e35254: function() { return handleError(function (arg0, arg1) {
            const ret = Reflect.get(arg0, arg1);
            return ret;
        }, arguments); },
        __wbg_get_with_ref_key_fc601247060b7204: function(arg0, arg1) {
            const ret = arg0[arg1];
            return ret;
        },
        __wbg_instanceof_ArrayBuffer_12cdaa4161423e6b: function(arg0) {
            let result;
            try {
                result = arg0 instanceof ArrayBuffer;
            } catch (_) {
                result = false;
            }
            const ret = result;
            return ret;
        },
        __wbg_instanceof_Uint8Array_d7aeb0dcb3108fea: function(arg0) {
            let result;
            try {
                result = arg0 instanceof Uint8Array;
            } catch (_) {
                result = false;
            }
            const ret = result;
            return ret;
        },
        __wbg_isSafeInteger_1a35ba4d31e71d38: function(arg0) {
            const ret = Number.isSafeInteger(arg0);
            return ret;
        },
        __wbg_length_186163212ffe79c3: function(arg0) {
            const ret = arg0.length;
            return ret;
        },
        __wbg_length_6e9d2869242cabf3: function(arg0) {
            const ret = arg0.length;
            return ret;
        },
        __wbg_new_13de428334042d26: function(arg0) {
            const ret = new Uint8Array(arg0);
            return ret;
        },
        __wbg_new_37eb45aaf5eeb820: function() {
            const ret = new Array();
            return ret;
        },
        __wbg_new_7075786089b89c5e: function() {
            const ret = new Map();
            return ret;
        },
        __wbg_new_bb74001155cb8ca8: function() {
            const ret = new Error();
            return ret;
        },
        __wbg_new_cd4348290afae586: function() {
            const ret = new Object();
            return ret;
        },
        __wbg_new_from_slice_355c10c5d8f2addb: function(arg0, arg1) {
            const ret = new Float32Array(getArrayF32FromWasm0(arg0, arg1));
            return ret;
        },
        __wbg_new_from_slice_b8daf545a41c6aa0: function(arg0, arg1) {
            const ret = new Uint8Array(getArrayU8FromWasm0(arg0, arg1));
            return ret;
        },
        __wbg_prototypesetcall_13162965d1fe7aa3: function(arg0, arg1, arg2) {
            Uint8Array.prototype.set.call(getArrayU8FromWasm0(arg0, arg1), arg2);
        },
        __wbg_prototypesetcall_22b1bb88c4ec5c5a: function(arg0, arg1, arg2) {
            Float32Array.prototype.set.call(getArrayF32FromWasm0(arg0, arg1), arg2);
        },
        __wbg_set_8282f7e0d2d01336: function(arg0, arg1, arg2) {
            const ret = arg0.set(arg1, arg2);
            return ret;
        },
        __wbg_set_d2d33b52458e984a: function(arg0, arg1, arg2) {
            arg0[arg1 >>> 0] = arg2;
        },
        __wbg_set_e4b9a833d288759a: function(arg0, arg1, arg2) {
            arg0[arg1] = arg2;
        },
        __wbg_stack_575c4e0918581b9c: function(arg0, arg1) {
            const ret = arg1.stack;
            const ptr1 = passStringToWasm0(ret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            const len1 = WASM_VECTOR_LEN;
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);
        },
        __wbindgen_generic_0000000000000001: function(arg0) {
            // Cast intrinsic for `F64 -> Externref`.
            const ret = arg0;
            return ret;
        },
        __wbindgen_generic_0000000000000002: function(arg0) {
            // Cast intrinsic for `I64 -> Externref`.
            const ret = arg0;
            return ret;
        },
        __wbindgen_generic_0000000000000003: function(arg0, arg1) {
            // Cast intrinsic for `Ref(String) -> Externref`.
            const ret = getStringFromWasm0(arg0, arg1);
            return ret;
        },
        __wbindgen_generic_0000000000000004: function(arg0) {
            // Cast intrinsic for `U64 -> Externref`.
            const ret = BigInt.asUintN(64, arg0);
            return ret;
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
            table.set(0, undefined);
            table.set(1024, undefined);
            table.set(1025, null);
            table.set(1026, true);
            table.set(1027, false);
        },
    };
    return {
        __proto__: null,
        "./convlab_bg.js": import0,
    };
}

const GemmBenchFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_gemmbench_free(ptr, 1));
const InferenceBenchFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_inferencebench_free(ptr, 1));
const PlaygroundFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_playground_free(ptr, 1));
const StepProfileFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_stepprofile_free(ptr, 1));
const TrainingBenchFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_trainingbench_free(ptr, 1));

function addToExternrefTable0(obj) {
    const idx = wasm.__externref_table_alloc();
    wasm.__wbindgen_externrefs.set(idx, obj);
    return idx;
}

function debugString(val) {
    switch (typeof val) {
        // primitive types
        case 'number':
        case 'boolean':
        case 'undefined':
        return `${val}`;
        case 'string':
        return JSON.stringify(val);
        case 'bigint':
        return `${val}n`;
        case 'symbol':
        return val.description !== undefined
            ? `Symbol(${val.description})`
            : 'Symbol';
        case 'function':
        return typeof val.name === 'string' && val.name !== ''
            ? `Function(${val.name})`
            : 'Function';
        case 'object': {
            if (val === null) {
                return 'null';
            }
            // objects
            if (Array.isArray(val)) {
                return '[' + Array.from(val, debugString).join(', ') + ']';
            }
            // errors
            if (val instanceof Error) {
                return `${val.name}: ${val.message}\n${val.stack}`;
            }

            const toStringOutput = toString.call(val);
            // Test for built-in
            const className = /\[object ([^\]]+)\]/.exec(toStringOutput)?.[1];

            // Failed to match the standard '[object ClassName]'
            if (className === undefined) {
                return toStringOutput;
            }
            if (className === 'Object') {
                // we're a user defined class or Object
                // JSON.stringify avoids problems with cycles, and is generally much
                // easier than looping through ownProperties of `val`.
                try {
                    return 'Object(' + JSON.stringify(val) + ')';
                } catch (_) {
                    return 'Object';
                }
            }
            // TODO we could test for more things here, like `Set`s and `Map`s.
            return className;
        }
        // Per MDN: 'This list of values is exhaustive.'
        // https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/typeof#description
    }
}

function getArrayF32FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getFloat32ArrayMemory0().subarray(ptr / 4, ptr / 4 + len);
}

function getArrayJsValueFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    const mem = getDataViewMemory0();
    const result = [];
    for (let i = ptr; i < ptr + 4 * len; i += 4) {
        result.push(wasm.__wbindgen_externrefs.get(mem.getUint32(i, true)));
    }
    wasm.__externref_drop_slice(ptr, len);
    return result;
}

function getArrayU8FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getUint8ArrayMemory0().subarray(ptr / 1, ptr / 1 + len);
}

let cachedDataViewMemory0 = null;
function getDataViewMemory0() {
    if (cachedDataViewMemory0 === null || cachedDataViewMemory0.buffer.detached === true || (cachedDataViewMemory0.buffer.detached === undefined && cachedDataViewMemory0.buffer !== wasm.memory.buffer)) {
        cachedDataViewMemory0 = new DataView(wasm.memory.buffer);
    }
    return cachedDataViewMemory0;
}

let cachedFloat32ArrayMemory0 = null;
function getFloat32ArrayMemory0() {
    if (cachedFloat32ArrayMemory0 === null || cachedFloat32ArrayMemory0.byteLength === 0) {
        cachedFloat32ArrayMemory0 = new Float32Array(wasm.memory.buffer);
    }
    return cachedFloat32ArrayMemory0;
}

function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}

let cachedUint32ArrayMemory0 = null;
function getUint32ArrayMemory0() {
    if (cachedUint32ArrayMemory0 === null || cachedUint32ArrayMemory0.byteLength === 0) {
        cachedUint32ArrayMemory0 = new Uint32Array(wasm.memory.buffer);
    }
    return cachedUint32ArrayMemory0;
}

let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    }
    return cachedUint8ArrayMemory0;
}

function handleError(f, args) {
    try {
        return f.apply(this, args);
    } catch (e) {
        const idx = addToExternrefTable0(e);
        wasm.__wbindgen_exn_store(idx);
    }
}

function isLikeNone(x) {
    return x === undefined || x === null;
}

function passArray32ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 4, 4) >>> 0;
    getUint32ArrayMemory0().set(arg, ptr / 4);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function passArray8ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 1, 1) >>> 0;
    getUint8ArrayMemory0().set(arg, ptr / 1);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function passArrayF32ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 4, 4) >>> 0;
    getFloat32ArrayMemory0().set(arg, ptr / 4);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function passStringToWasm0(arg, malloc, realloc) {
    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }

    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }

    WASM_VECTOR_LEN = offset;
    return ptr;
}

function takeFromExternrefTable0(idx) {
    const value = wasm.__wbindgen_externrefs.get(idx);
    wasm.__externref_table_dealloc(idx);
    return value;
}

let cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
cachedTextDecoder.decode();
const MAX_SAFARI_DECODE_BYTES = 2146435072;
let numBytesDecoded = 0;
function decodeText(bytes) {
    numBytesDecoded += bytes.length;
    if (numBytesDecoded >= MAX_SAFARI_DECODE_BYTES) {
        cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
        cachedTextDecoder.decode();
        numBytesDecoded = bytes.length;
    }
    return cachedTextDecoder.decode(bytes);
}

const cachedTextEncoder = new TextEncoder();

if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}

let WASM_VECTOR_LEN = 0;

let wasmModule, wasmInstance, wasm;
function __wbg_finalize_init(instance, module) {
    wasmInstance = instance;
    wasm = instance.exports;
    wasmModule = module;
    cachedDataViewMemory0 = null;
    cachedFloat32ArrayMemory0 = null;
    cachedUint32ArrayMemory0 = null;
    cachedUint8ArrayMemory0 = null;
    wasm.__wbindgen_start();
    return wasm;
}

async function __wbg_load(module, imports) {
    if (typeof Response === 'function' && module instanceof Response) {
        if (!module.ok) {
            throw new Error(`failed to fetch Wasm: ${module.status} ${module.statusText} fetching '${module.url}'`);
        }

        if (typeof WebAssembly.instantiateStreaming === 'function') {
            try {
                return await WebAssembly.instantiateStreaming(module, imports);
            } catch (e) {
                const validResponse = expectedResponseType(module.type);

                if (validResponse && module.headers.get('Content-Type') !== 'application/wasm') {
                    console.warn("`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\n", e);

                } else { throw e; }
            }
        }

        const bytes = await module.arrayBuffer();
        return await WebAssembly.instantiate(bytes, imports);
    } else {
        const instance = await WebAssembly.instantiate(module, imports);

        if (instance instanceof WebAssembly.Instance) {
            return { instance, module };
        } else {
            return instance;
        }
    }

    function expectedResponseType(type) {
        switch (type) {
            case 'basic': case 'cors': case 'default': return true;
        }
        return false;
    }
}

function initSync(module) {
    if (wasm !== undefined) return wasm;


    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for `initSync()`; pass a single object instead')
        }
    }

    const imports = __wbg_get_imports();
    if (!(module instanceof WebAssembly.Module)) {
        module = new WebAssembly.Module(module);
    }
    const instance = new WebAssembly.Instance(module, imports);
    return __wbg_finalize_init(instance, module);
}

let __wbg_init_promise;
async function __wbg_init(module_or_path) {
    if (wasm !== undefined) return wasm;
    if (__wbg_init_promise === undefined) {
        __wbg_init_promise = __wbg_init_once(module_or_path);
        __wbg_init_promise.catch(() => { __wbg_init_promise = undefined; });
    }
    return __wbg_init_promise;
}

async function __wbg_init_once(module_or_path) {

    if (module_or_path !== undefined) {
        if (Object.getPrototypeOf(module_or_path) === Object.prototype) {
            ({module_or_path} = module_or_path)
        } else {
            console.warn('using deprecated parameters for the initialization function; pass a single object instead')
        }
    }

    if (module_or_path === undefined) {
        module_or_path = new URL('convlab_bg.wasm', import.meta.url);
    }
    const imports = __wbg_get_imports();

    if (typeof module_or_path === 'string' || (typeof Request === 'function' && module_or_path instanceof Request) || (typeof URL === 'function' && module_or_path instanceof URL)) {
        module_or_path = fetch(module_or_path);
    }

    const { instance, module } = await __wbg_load(await module_or_path, imports);

    return __wbg_finalize_init(instance, module);
}

export { initSync, __wbg_init as default };
