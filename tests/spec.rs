//! Model specs: shape inference, Keras summaries of the lesson presets, and the error message of
//! every kind of invalid spec.

use convlab::presets::{lesson_cnn, lesson_mlp};
use convlab::spec::{Architecture, LayerSpec, ModelSpec};
use convlab::summary::summary;
use serde_json::json;

fn architecture(layers: Vec<LayerSpec>) -> Result<Architecture, String> {
    Architecture::from_spec(&ModelSpec::sequential(layers)).map_err(|e| e.to_string())
}

fn input_conv(config: serde_json::Value) -> LayerSpec {
    let mut config = config;
    config["batch_input_shape"] = json!([null, 28, 28, 1]);
    LayerSpec::new("Conv2D", config)
}

/// The `model.summary()` text Keras 3.15 printed for each model of `tests/fixtures/summary.json`
/// (made by `tools/make_reference_fixtures.py`) must come out character for character.
#[test]
fn summaries_match_keras_character_for_character() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/summary.json"
    ))
    .unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for case in cases {
        let mut layers: Vec<LayerSpec> =
            serde_json::from_value(case["layers_spec"].clone()).unwrap();
        let mut batch_input_shape = vec![serde_json::Value::Null];
        batch_input_shape.extend(case["input_shape"].as_array().unwrap().iter().cloned());
        layers[0].config.insert(
            "batch_input_shape".into(),
            serde_json::Value::Array(batch_input_shape),
        );
        let architecture = Architecture::from_spec(&ModelSpec::sequential(layers)).unwrap();
        let expected = case["summary_text"].as_str().unwrap();
        assert_eq!(
            summary(&architecture).trim_end(),
            expected.trim_end(),
            "case {}",
            case["name"]
        );
        assert_eq!(
            architecture.params().total() as u64,
            case["total_params"].as_u64().unwrap()
        );
        assert_eq!(
            architecture.params().non_trainable as u64,
            case["non_trainable_params"].as_u64().unwrap()
        );
    }
}

#[test]
fn lesson_cnn_has_41866_params() {
    let architecture = Architecture::from_spec(&lesson_cnn()).unwrap();
    let counts: Vec<usize> = architecture
        .layers
        .iter()
        .map(|l| l.params.total())
        .collect();
    assert_eq!(counts, vec![320, 0, 18_496, 0, 0, 23_050]);
    assert_eq!(architecture.params().total(), 41_866);
}

#[test]
fn lesson_mlp_has_669706_params() {
    let architecture = Architecture::from_spec(&lesson_mlp()).unwrap();
    let counts: Vec<usize> = architecture
        .layers
        .iter()
        .map(|l| l.params.total())
        .collect();
    assert_eq!(counts, vec![0, 401_920, 262_656, 5_130]);
    assert_eq!(architecture.params().total(), 669_706);
    assert!(summary(&architecture).contains(" Total params: 669,706 (2.55 MB)\n"));
}

#[test]
fn output_size_arithmetic_is_reported_per_spatial_layer() {
    let architecture = Architecture::from_spec(&lesson_cnn()).unwrap();
    let [height, width] = architecture.layers[0].output_size.unwrap();
    assert_eq!(height.formula(), "(28 − 3 + 2·1)/1 + 1 = 28");
    assert_eq!(width, height);
    assert_eq!(
        architecture.layers[1].output_size.unwrap()[0].formula(),
        "(28 − 2 + 2·0)/2 + 1 = 14"
    );
    assert_eq!(
        architecture.layers[2].output_size.unwrap()[0].formula(),
        "(14 − 3 + 2·0)/1 + 1 = 12"
    );
    assert!(architecture.layers[4].output_size.is_none());
}

#[test]
fn stride_2_same_padding_shows_the_uneven_padding() {
    let architecture = architecture(vec![input_conv(
        json!({"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}),
    )])
    .unwrap();
    let [height, _] = architecture.layers[0].output_size.unwrap();
    assert_eq!(height.formula(), "(28 − 3 + 0 + 1)/2 + 1 = 14");
    assert_eq!(architecture.layers[0].output_shape, vec![14, 14, 8]);
}

#[test]
fn keras_names_are_generated_and_kept() {
    let architecture = architecture(vec![
        input_conv(json!({"filters": 4, "kernel_size": 3})),
        LayerSpec::new("BatchNormalization", json!({})),
        LayerSpec::new(
            "Conv2D",
            json!({"filters": 4, "kernel_size": 3, "name": "my_conv"}),
        ),
        LayerSpec::new("Conv2D", json!({"filters": 4, "kernel_size": 3})),
        LayerSpec::new("GlobalAveragePooling2D", json!({})),
        LayerSpec::new("Dense", json!({"units": 10})),
    ])
    .unwrap();
    let names: Vec<&str> = architecture
        .layers
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "conv2d",
            "batch_normalization",
            "my_conv",
            "conv2d_1",
            "global_average_pooling2d",
            "dense"
        ]
    );
    // BatchNormalization over 4 channels: gamma, beta trainable; moving mean, variance not.
    assert_eq!(architecture.params().non_trainable, 8);
}

#[test]
fn a_keras3_to_json_model_loads() {
    let keras3 = json!({"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true,
    "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
    "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 28, 28, 1], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_layer", "optional": false}, "registered_name": null},
        {"module": "keras.layers", "class_name": "Conv2D", "config": {"name": "conv2d", "trainable": true,
            "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
            "filters": 32, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "data_format": "channels_last",
            "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": true,
            "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null},
            "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
            "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
         "registered_name": null, "build_config": {"input_shape": [null, 28, 28, 1]}},
        {"module": "keras.layers", "class_name": "Flatten", "config": {"name": "flatten", "trainable": true, "dtype": "float32", "data_format": "channels_last"}},
        {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": 10, "activation": "softmax"}}
    ]}});
    let spec = ModelSpec::from_value(keras3).unwrap();
    let architecture = Architecture::from_spec(&spec).unwrap();
    assert_eq!(architecture.input_shape, vec![28, 28, 1]);
    assert_eq!(architecture.params().total(), 320 + 28 * 28 * 32 * 10 + 10);
}

#[test]
fn the_spec_round_trips_through_to_spec() {
    let architecture = Architecture::from_spec(&lesson_cnn()).unwrap();
    let again =
        Architecture::from_spec(&ModelSpec::from_json(&architecture.to_spec().to_json()).unwrap())
            .unwrap();
    assert_eq!(again, architecture);
}

fn error_of(layers: Vec<LayerSpec>) -> String {
    architecture(layers).unwrap_err()
}

#[test]
fn kernel_larger_than_the_padded_input_names_layer_field_and_fix() {
    let error = error_of(vec![
        input_conv(json!({"filters": 8, "kernel_size": 3})),
        LayerSpec::new("MaxPooling2D", json!({"pool_size": 8})),
        LayerSpec::new("Conv2D", json!({"filters": 8, "kernel_size": 5})),
    ]);
    assert_eq!(
        error,
        "Layer 3 'conv2d_1' (Conv2D): kernel_size: 5×5 is larger than the 3×3 input; use a smaller kernel_size, padding='same', or fewer pooling layers before this one"
    );
}

#[test]
fn stride_zero_is_an_error() {
    let error = error_of(vec![input_conv(
        json!({"filters": 8, "kernel_size": 3, "strides": 0}),
    )]);
    assert_eq!(
        error,
        "Layer 1 'conv2d' (Conv2D): strides: 0×0 has a zero step; a stride must be at least 1 (1 visits every position, 2 halves the size)"
    );
}

#[test]
fn zero_filters_and_zero_units_are_errors() {
    assert_eq!(
        error_of(vec![input_conv(json!({"filters": 0, "kernel_size": 3}))]),
        "Layer 1 'conv2d' (Conv2D): filters: must be at least 1, e.g. 32"
    );
    assert_eq!(
        error_of(vec![
            LayerSpec::new("Flatten", json!({"input_shape": [28, 28, 1]})),
            LayerSpec::new("Dense", json!({"units": 0}))
        ]),
        "Layer 2 'dense' (Dense): units: must be at least 1, e.g. 128 (or 10 for the output layer)"
    );
}

#[test]
fn dropout_rate_outside_0_1_is_an_error() {
    for rate in [1.0, -0.1, 1.5] {
        let error = error_of(vec![
            LayerSpec::new("Flatten", json!({"input_shape": [28, 28, 1]})),
            LayerSpec::new("Dropout", json!({"rate": rate})),
        ]);
        assert_eq!(
            error,
            format!("Layer 2 'dropout' (Dropout): rate: {rate} is outside [0, 1); use a fraction such as 0.2 or 0.5")
        );
    }
}

#[test]
fn unknown_class_name_is_an_error() {
    let error = error_of(vec![
        input_conv(json!({"filters": 8, "kernel_size": 3})),
        LayerSpec::new("Conv3D", json!({"filters": 8})),
    ]);
    assert_eq!(
        error,
        "Layer 2 'conv3d' (Conv3D): class_name: 'Conv3D' is not a layer convlab knows; use one of Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Dense, Dropout, BatchNormalization, Activation"
    );
}

#[test]
fn dense_on_an_image_without_flatten_is_an_error() {
    let error = error_of(vec![
        input_conv(json!({"filters": 64, "kernel_size": 3})),
        LayerSpec::new("MaxPooling2D", json!({})),
        LayerSpec::new("Dense", json!({"units": 10})),
    ]);
    assert_eq!(
        error,
        "Layer 3 'dense' (Dense): input_shape: Dense expects a flat vector but gets (None, 13, 13, 64); add a Flatten (or GlobalAveragePooling2D) layer before it"
    );
}

#[test]
fn conv_after_flatten_is_an_error() {
    let error = error_of(vec![
        LayerSpec::new("Flatten", json!({"input_shape": [28, 28, 1]})),
        LayerSpec::new("Conv2D", json!({"filters": 8, "kernel_size": 3})),
    ]);
    assert_eq!(
        error,
        "Layer 2 'conv2d' (Conv2D): input_shape: expects an image input (height, width, channels) but gets (None, 784); put it before Flatten, or reshape the input to (28, 28, 1)"
    );
}

#[test]
fn missing_and_mistyped_fields_are_errors() {
    assert_eq!(
        error_of(vec![input_conv(json!({"filters": null, "kernel_size": 3}))]),
        "Layer 1 'conv2d' (Conv2D): filters: an empty box is not allowed; use a whole number of at least 1, e.g. 32"
    );
    assert_eq!(
        error_of(vec![input_conv(json!({"filters": -3, "kernel_size": 3}))]),
        "Layer 1 'conv2d' (Conv2D): filters: -3 is not allowed; use a whole number of at least 1, e.g. 32"
    );
    assert_eq!(
        error_of(vec![input_conv(json!({"kernel_size": 3}))]),
        "Layer 1 'conv2d' (Conv2D): filters: is required but missing"
    );
    assert_eq!(
        error_of(vec![input_conv(json!({"filters": "many", "kernel_size": 3}))]),
        "Layer 1 'conv2d' (Conv2D): filters: 'many' is not allowed; use a whole number of at least 1, e.g. 32"
    );
    assert_eq!(
        error_of(vec![input_conv(
            json!({"filters": 8, "kernel_size": 3, "padding": "full"})
        )]),
        "Layer 1 'conv2d' (Conv2D): padding: unknown value `full`, expected `valid` or `same`"
    );
    assert_eq!(
        error_of(vec![input_conv(json!({"filters": 8, "kernel_size": 3, "activation": "swish"}))]),
        "Layer 1 'conv2d' (Conv2D): activation: unknown value `swish`, expected one of `linear`, `relu`, `sigmoid`, `tanh`, `softmax`"
    );
}

#[test]
fn unknown_and_unsupported_arguments_are_errors() {
    let error = error_of(vec![input_conv(
        json!({"filters": 8, "kernel_size": 3, "filtres": 8}),
    )]);
    assert_eq!(
        error,
        "Layer 1 'conv2d' (Conv2D): config: unknown argument 'filtres'; Conv2D takes activation, bias_initializer, filters, kernel_initializer, kernel_regularizer, kernel_size, padding, strides, use_bias"
    );
    let error = error_of(vec![input_conv(
        json!({"filters": 8, "kernel_size": 3, "dilation_rate": [2, 2]}),
    )]);
    assert_eq!(error, "Layer 1 'conv2d' (Conv2D): dilation_rate: [2,2] is not supported by convlab; remove it or use [1,1]");
}

#[test]
fn model_level_errors() {
    let no_input = Architecture::from_spec(&ModelSpec::sequential(vec![LayerSpec::new(
        "Dense",
        json!({"units": 10}),
    )]));
    assert_eq!(
        no_input.unwrap_err().to_string(),
        "Model: the first layer has no input shape; give it input_shape=(28, 28, 1) (or start with an InputLayer)"
    );
    let empty = Architecture::from_spec(&ModelSpec::sequential(vec![]));
    assert_eq!(
        empty.unwrap_err().to_string(),
        "Model: the model has no layers; add at least one, e.g. Dense(10, activation='softmax')"
    );
    let functional =
        ModelSpec::from_json(r#"{"class_name": "Functional", "config": {"layers": []}}"#);
    assert_eq!(
        functional.unwrap_err().to_string(),
        "Model: only Sequential models are supported, but this is a 'Functional' model; rebuild it with keras.Sequential([...])"
    );
    assert!(ModelSpec::from_json("{not json")
        .unwrap_err()
        .to_string()
        .starts_with("Model: the model JSON is not valid JSON"));
}

#[test]
fn duplicate_names_and_huge_models_are_errors() {
    let error = error_of(vec![
        LayerSpec::new("Flatten", json!({"input_shape": [28, 28, 1], "name": "x"})),
        LayerSpec::new("Dense", json!({"units": 10, "name": "x"})),
    ]);
    assert_eq!(error, "Layer 2 'x' (Dense): name: 'x' is already the name of another layer; layer names must be unique");
    let error = error_of(vec![
        LayerSpec::new("Flatten", json!({"input_shape": [28, 28, 1]})),
        LayerSpec::new("Dense", json!({"units": 1_000_000})),
    ]);
    assert_eq!(
        error,
        "Layer 2 'dense' (Dense): params: the model reaches 785,000,000 parameters here, more than the 100,000,000 a browser tab can train; use fewer units/filters or add pooling before Flatten"
    );
}

/// Sizes too large for `usize` arithmetic (a kernel of 2^40 × 2^40 with 'same' padding, a window
/// that cannot be placed, a layer output of more values than `MAX_VALUES_PER_IMAGE`) are errors,
/// never overflows.
#[test]
fn sizes_too_large_to_count_are_errors_not_overflows() {
    let conv = |config: serde_json::Value| error_of(vec![input_conv(config)]);
    assert_eq!(
        conv(json!({"filters": 1, "kernel_size": [1u64 << 40, 1u64 << 40], "padding": "same"})),
        "Layer 1 'conv2d' (Conv2D): params: the model reaches 18,446,744,073,709,551,615 parameters here, more than the 100,000,000 a browser tab can train; use fewer units/filters or add pooling before Flatten"
    );
    assert_eq!(
        conv(json!({"filters": 1, "kernel_size": [u64::MAX, 1], "strides": 10, "padding": "same"})),
        "Layer 1 'conv2d' (Conv2D): kernel_size: 18446744073709551615×1 is larger than the 28×28 input; use a smaller kernel_size, padding='same', or fewer pooling layers before this one"
    );
    assert_eq!(
        conv(json!({"filters": 1u64 << 62, "kernel_size": 3})),
        "Layer 1 'conv2d' (Conv2D): output_shape: the output (None, 26, 26, 4611686018427387904) has more than the 100,000,000 values per image convlab can hold; use fewer filters or units, or larger strides"
    );
}
