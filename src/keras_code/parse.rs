//! Reads the model that pasted Keras code defines, statement by statement, without running it.
//!
//! Understood: layers as `tf.keras.layers.X`, `keras.layers.X`, `layers.X` or bare `X` (and the
//! aliases `MaxPool2D`, `AvgPool2D`, `GlobalAvgPool2D`, `Convolution2D`), with Keras's positional
//! and keyword arguments; the Functional style (`x = Conv2D(...)(x)` chains from
//! `Input(shape=...)`, closed by `Model(inputs=..., outputs=...)`); the Sequential style
//! (`Sequential([...])`, `Sequential()` + `model.add(...)`, `input_shape=` on the first layer, or
//! an `Input`/`InputLayer` first); variables holding literals (`num_classes = 10`); regularizers
//! (`L1`, `L2`, `L1L2`, `l1_l2`) and initializers (`HeNormal()`, `RandomNormal(stddev=0.1)`).
//!
//! Skipped: imports, data loading, `compile`/`fit`/`summary`, prints and any other statement that
//! builds no model. A layer class convlab does not know, or model code it cannot follow, is an
//! error at its line and column. The semantic checks (shapes, argument types and ranges) are left
//! to [`crate::spec::Architecture::from_spec`].
//!
//! The result is always a Sequential spec: a Functional chain from one `Input` to one output is
//! the same model.

use std::collections::HashMap;

use serde_json::{json, Map, Value as Json};

use super::syntax::{parse_statement, Argument, Expr, ExprKind, Statement};
use super::tokenize::{statements, Token, TokenKind};
use super::{KerasCodeError, Position};
use crate::activation::Activation;
use crate::initializer::Initializer;
use crate::spec::{LayerSpec, ModelSpec, LAYER_CLASSES};

/// Every layer class convlab builds: its Keras class name, the other names Keras accepts for it,
/// and its positional parameters in Keras's order.
const LAYERS: [(&str, &[&str], &[&str]); 9] = [
    (
        "Conv2D",
        &["Convolution2D"],
        &["filters", "kernel_size", "strides", "padding"],
    ),
    (
        "MaxPooling2D",
        &["MaxPool2D"],
        &["pool_size", "strides", "padding"],
    ),
    (
        "AveragePooling2D",
        &["AvgPool2D"],
        &["pool_size", "strides", "padding"],
    ),
    ("GlobalAveragePooling2D", &["GlobalAvgPool2D"], &[]),
    ("Flatten", &[], &[]),
    ("Dense", &[], &["units", "activation"]),
    ("Dropout", &[], &["rate"]),
    (
        "BatchNormalization",
        &[],
        &["axis", "momentum", "epsilon", "center", "scale"],
    ),
    ("Activation", &[], &["activation"]),
];

/// Keras preprocessing layers: accepted outside the model (an augmentation pipeline), rejected
/// inside it, because convlab feeds images scaled to [0, 1] and augments in its training settings.
const PREPROCESSING_LAYERS: [&str; 10] = [
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "RandomFlip",
    "RandomContrast",
    "RandomBrightness",
    "RandomCrop",
    "Rescaling",
    "Resizing",
    "Normalization",
];

/// Reads the model that `source` (pasted Keras Python) defines. When the code defines several
/// models, the one that is compiled, fitted or summarised last is taken, else the last one
/// defined.
pub fn parse_keras(source: &str) -> Result<ModelSpec, KerasCodeError> {
    parse_keras_with_places(source).map(|(spec, _)| spec)
}

/// Where the model and each of its layers are written, for positioned semantic errors.
pub(super) struct Places {
    /// The `Sequential(`/`Model(` call (or the first layer of a chain without one).
    pub model: Position,
    /// Each layer's class name, in spec order.
    pub layers: Vec<Position>,
}

/// [`parse_keras`], also returning where the model and its layers are written.
pub(super) fn parse_keras_with_places(source: &str) -> Result<(ModelSpec, Places), KerasCodeError> {
    let mut reader = Reader::default();
    for tokens in statements(source)? {
        reader.statement(&tokens)?;
    }
    reader.finish()
}

/// A layer object: its Keras class, its arguments as config JSON, and where it is written.
#[derive(Clone, Debug)]
struct Layer {
    /// Distinguishes layer objects, so that one applied twice (shared weights) is caught.
    id: usize,
    /// The Keras class name (canonical for model layers, as written for preprocessing layers).
    class_name: String,
    /// Whether this is one of [`PREPROCESSING_LAYERS`].
    preprocessing: bool,
    /// The Keras arguments, except the input shape.
    config: Map<String, Json>,
    /// An `input_shape=`/`input_dim=`/`batch_input_shape=` argument.
    input_shape: Option<Shape>,
    /// Where the class name is written.
    position: Position,
}

/// A per-sample input shape and where it is written.
#[derive(Clone, Debug, PartialEq)]
struct Shape {
    dims: Vec<usize>,
    position: Position,
}

/// The output of `Input(...)` or of a chain of layers applied to it.
#[derive(Clone, Debug)]
struct Tensor {
    /// Which `Input` call the chain starts from.
    input_id: usize,
    input: Shape,
    layers: Vec<Layer>,
}

/// A `Sequential` or Functional model being read.
#[derive(Clone, Debug)]
struct Model {
    name: Option<String>,
    input: Option<Shape>,
    layers: Vec<Layer>,
    sequential: bool,
    position: Position,
}

/// What an expression evaluates to, as far as model code needs it.
#[derive(Clone, Debug)]
enum Value {
    /// A number, string, `None`, bool, or a tuple/list of them, as JSON.
    Literal(Json),
    /// A regularizer or initializer, as its Keras config JSON.
    KerasObject(Json),
    Layer(Layer),
    /// An `InputLayer(...)`, which only a Sequential model takes.
    InputLayer(Shape),
    Tensor(Tensor),
    /// A model, by its index in the reader's list.
    Model(usize),
    /// A tuple or list holding something other than literals, each item with its position.
    Items(Vec<(Value, Position)>),
    /// The result of calling a bare name the code never defines (`Conv3D(8, 3)`): an error only
    /// where a layer is expected.
    Call(String),
    /// A name the code never assigns (usually a module, or a typo).
    Undefined(String),
    /// Anything else: data arrays, optimizers, callbacks, arithmetic.
    Opaque,
}

/// What a dotted name (`tf.keras.layers.Conv2D`) refers to when called.
enum Callable {
    Layer(&'static str, &'static [&'static str]),
    Preprocessing(String),
    Input,
    InputLayer,
    Sequential,
    Model,
    Regularizer(String),
    Initializer(String),
    /// A name in `layers`, `initializers` or `regularizers` that convlab does not know.
    Unknown(&'static str, String),
    /// Anything else (`print`, `np.array`, `tf.keras.utils.to_categorical`).
    Other,
}

#[derive(Default)]
struct Reader {
    variables: HashMap<String, Value>,
    models: Vec<Model>,
    /// The model last compiled, fitted, evaluated or summarised.
    used_model: Option<usize>,
    /// The last layer chain assigned to a variable, the model of code without `Model(...)`.
    last_chain: Option<Tensor>,
    next_id: usize,
}

/// `tf.keras.layers.Conv2D` → `["tf", "keras", "layers", "Conv2D"]`; `None` for anything but
/// names and attributes.
fn dotted_path(expr: &Expr) -> Option<Vec<String>> {
    match &expr.kind {
        ExprKind::Name(name) => Some(vec![name.clone()]),
        ExprKind::Attribute { object, name, .. } => {
            let mut path = dotted_path(object)?;
            path.push(name.clone());
            Some(path)
        }
        _ => None,
    }
}

/// Where the last name of a dotted path is written (`Conv2D` in `layers.Conv2D`).
fn name_position(expr: &Expr) -> Position {
    match &expr.kind {
        ExprKind::Attribute { name_position, .. } => *name_position,
        _ => expr.position,
    }
}

/// What calling the dotted name `path` does. Layer classes are recognised under any module
/// (`tf.keras.layers`, `keras.layers`, an alias such as `L`, or none); an unknown name is an
/// unknown layer only under `layers`.
fn resolve(path: &[String]) -> Callable {
    let Some(last) = path.last() else {
        return Callable::Other;
    };
    let namespace = path.len().checked_sub(2).map(|i| path[i].as_str());
    if let Some((class_name, _, positional)) = LAYERS
        .iter()
        .find(|(class_name, aliases, _)| class_name == last || aliases.contains(&last.as_str()))
    {
        return Callable::Layer(class_name, positional);
    }
    if PREPROCESSING_LAYERS.contains(&last.as_str()) {
        return Callable::Preprocessing(last.clone());
    }
    let keras_namespace = matches!(namespace, None | Some("keras" | "models" | "layers"));
    match last.as_str() {
        "Input" if keras_namespace => return Callable::Input,
        "InputLayer" if keras_namespace => return Callable::InputLayer,
        "Sequential" if keras_namespace => return Callable::Sequential,
        "Model" if keras_namespace => return Callable::Model,
        _ => {}
    }
    let regularizer = ["L1", "L2", "L1L2", "l1", "l2", "l1_l2"].contains(&last.as_str());
    match namespace {
        Some("regularizers") if regularizer => Callable::Regularizer(last.clone()),
        Some("regularizers") => Callable::Unknown("regularizer", last.clone()),
        Some("initializers") if Initializer::from_name(last).is_some() => {
            Callable::Initializer(last.clone())
        }
        Some("initializers") => Callable::Unknown("initializer", last.clone()),
        Some("layers") => Callable::Unknown("layer", last.clone()),
        None if regularizer => Callable::Regularizer(last.clone()),
        None if last.starts_with(|c: char| c.is_ascii_uppercase())
            && Initializer::from_name(last).is_some() =>
        {
            Callable::Initializer(last.clone())
        }
        _ => Callable::Other,
    }
}

/// The message for a layer class convlab does not build.
fn unknown_layer(name: &str) -> String {
    format!(
        "'{name}' is not a layer convlab knows; use one of {}",
        LAYER_CLASSES.join(", ")
    )
}

fn undefined(name: &str) -> String {
    format!("'{name}' is not defined in this code; write the value itself")
}

impl Reader {
    fn new_id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    /// Reads one statement: runs assignments and expressions, skips the rest unless it holds
    /// model code (which must then be understood).
    fn statement(&mut self, tokens: &[Token]) -> Result<(), KerasCodeError> {
        match parse_statement(tokens) {
            Ok(Statement::Assign { targets, value }) => {
                let value = self.evaluate(&value)?;
                for target in &targets {
                    self.assign(target, value.clone());
                }
                Ok(())
            }
            Ok(Statement::Expression(expr)) => self.evaluate(&expr).map(|_| ()),
            Ok(Statement::Skipped { keyword }) => {
                if keyword == "import" || keyword == "from" {
                    return Ok(());
                }
                if keyword == "def" {
                    self.bind_parameter_defaults(tokens);
                }
                match self.model_code_in(tokens) {
                    Some(position) => Err(KerasCodeError::at(
                        position,
                        format!(
                            "convlab reads model code statement by statement and does not run '{keyword}' statements; write this line on its own, outside the '{keyword}'"
                        ),
                    )),
                    None => Ok(()),
                }
            }
            Err(error) => match self.model_code_in(tokens) {
                Some(_) => Err(error),
                None => Ok(()),
            },
        }
    }

    /// Where `tokens` build or change a model (a layer, `Input`, `Sequential` or `Model` call,
    /// or `model.add`), if they do: such a statement must be understood, others may be skipped.
    fn model_code_in(&self, tokens: &[Token]) -> Option<Position> {
        tokens.iter().enumerate().find_map(|(i, token)| {
            let TokenKind::Name(name) = &token.kind else {
                return None;
            };
            let next_is =
                |ahead: usize, op: &str| tokens.get(i + ahead).is_some_and(|t| t.is_op(op));
            let model_call = next_is(1, "(")
                && matches!(
                    resolve(std::slice::from_ref(name)),
                    Callable::Layer(..)
                        | Callable::Preprocessing(_)
                        | Callable::Input
                        | Callable::InputLayer
                        | Callable::Sequential
                        | Callable::Model
                );
            let layers_call = name == "layers" && next_is(1, ".") && next_is(3, "(");
            let add = matches!(self.variables.get(name), Some(Value::Model(_)))
                && next_is(1, ".")
                && tokens.get(i + 2).is_some_and(|t| t.is_name("add"));
            (model_call || layers_call || add).then_some(token.position)
        })
    }

    /// `def build_model(num_classes=10, input_shape=(28, 28, 1)):` binds the literal defaults,
    /// so that the function's body, read like top-level code, can use them.
    fn bind_parameter_defaults(&mut self, tokens: &[Token]) {
        let mut depth = 0usize;
        let close = tokens.iter().position(|token| {
            match token.kind {
                TokenKind::Op("(" | "[" | "{") => depth += 1,
                TokenKind::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
                _ => return false,
            }
            depth == 0
        });
        let Some(signature) = close.and_then(|close| tokens.get(1..=close)) else {
            return;
        };
        let Ok(Statement::Expression(Expr {
            kind: ExprKind::Call { arguments, .. },
            ..
        })) = parse_statement(signature)
        else {
            return;
        };
        for argument in arguments {
            if let (Some(name), Ok(value @ Value::Literal(_))) =
                (&argument.keyword, self.evaluate(&argument.value))
            {
                self.variables.insert(name.clone(), value);
            }
        }
    }

    /// Binds `value` to the names in `target` (`a = ...`, `a, b = ...`); other targets
    /// (`model.trainable = ...`, `x[0] = ...`) change nothing convlab reads.
    fn assign(&mut self, target: &Expr, value: Value) {
        match (&target.kind, value) {
            (ExprKind::Name(name), value) => {
                if let Value::Tensor(tensor) = &value {
                    if !tensor.layers.is_empty() {
                        self.last_chain = Some(tensor.clone());
                    }
                }
                self.variables.insert(name.clone(), value);
            }
            (ExprKind::Tuple(targets) | ExprKind::List(targets), value) => {
                let values: Vec<Value> = match value {
                    Value::Items(items) => items.into_iter().map(|(v, _)| v).collect(),
                    Value::Literal(Json::Array(items)) => {
                        items.into_iter().map(Value::Literal).collect()
                    }
                    _ => Vec::new(),
                };
                if values.len() == targets.len() {
                    for (target, value) in targets.iter().zip(values) {
                        self.assign(target, value);
                    }
                } else {
                    for target in targets {
                        self.assign(target, Value::Opaque);
                    }
                }
            }
            _ => {}
        }
    }

    /// What `expr` evaluates to; calls build layers and models as a side effect.
    fn evaluate(&mut self, expr: &Expr) -> Result<Value, KerasCodeError> {
        Ok(match &expr.kind {
            ExprKind::Name(name) => self
                .variables
                .get(name)
                .cloned()
                .unwrap_or_else(|| Value::Undefined(name.clone())),
            ExprKind::Int(Some(n)) => Value::Literal(Json::from(*n)),
            ExprKind::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(Value::Opaque, |n| Value::Literal(Json::Number(n))),
            ExprKind::Str(text) => Value::Literal(Json::String(text.clone())),
            ExprKind::NoneLiteral => Value::Literal(Json::Null),
            ExprKind::Bool(b) => Value::Literal(Json::Bool(*b)),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push((self.evaluate(item)?, item.position));
                }
                if values.iter().all(|(v, _)| matches!(v, Value::Literal(_))) {
                    Value::Literal(Json::Array(
                        values
                            .into_iter()
                            .filter_map(|(v, _)| match v {
                                Value::Literal(json) => Some(json),
                                _ => None,
                            })
                            .collect(),
                    ))
                } else {
                    Value::Items(values)
                }
            }
            ExprKind::Attribute { .. } => {
                let path = dotted_path(expr).unwrap_or_default();
                let namespace = path.len().checked_sub(2).map(|i| path[i].as_str());
                match path.last() {
                    Some(name) if matches!(namespace, Some("activations" | "nn")) => {
                        Value::Literal(Json::String(name.clone()))
                    }
                    _ => Value::Opaque,
                }
            }
            ExprKind::Call { callee, arguments } => self.call(callee, arguments)?,
            ExprKind::Int(None) | ExprKind::Opaque => Value::Opaque,
        })
    }

    /// `callee(arguments)`: a method of a model, a Keras constructor, a layer applied to a
    /// tensor, or a call convlab does not model.
    fn call(&mut self, callee: &Expr, arguments: &[Argument]) -> Result<Value, KerasCodeError> {
        if let ExprKind::Attribute { object, name, .. } = &callee.kind {
            if let ExprKind::Name(variable) = &object.kind {
                if let Some(Value::Model(id)) = self.variables.get(variable) {
                    return self.model_method(*id, name, name_position(callee), arguments);
                }
            }
        }
        let Some(path) = dotted_path(callee) else {
            let function = self.evaluate(callee)?;
            return self.apply(function, callee.position, arguments);
        };
        let module_alias = |value: &Value| path.len() > 1 && matches!(value, Value::Opaque);
        if let Some(value) = self.variables.get(&path[0]).filter(|v| !module_alias(v)) {
            if path.len() == 1 {
                let function = value.clone();
                return self.apply(function, callee.position, arguments);
            }
            self.other_call(&path, callee.position, arguments)?;
            return Ok(Value::Opaque);
        }
        let position = name_position(callee);
        match resolve(&path) {
            Callable::Layer(class_name, positional) => {
                self.layer(class_name, positional, position, arguments)
            }
            Callable::Preprocessing(class_name) => Ok(Value::Layer(Layer {
                id: self.new_id(),
                class_name,
                preprocessing: true,
                config: Map::new(),
                input_shape: None,
                position,
            })),
            Callable::Input => self.input(position, arguments),
            Callable::InputLayer => self.input_layer(position, arguments),
            Callable::Sequential => self.sequential(position, arguments),
            Callable::Model => self.functional_model(position, arguments),
            Callable::Regularizer(name) => self.regularizer(&name, arguments),
            Callable::Initializer(name) => self.initializer(&name, arguments),
            Callable::Unknown("layer", name) => {
                Err(KerasCodeError::at(position, unknown_layer(&name)))
            }
            Callable::Unknown(what, name) => Err(KerasCodeError::at(
                position,
                format!("'{name}' is not a{} convlab knows", article_noun(what)),
            )),
            Callable::Other => {
                self.other_call(&path, callee.position, arguments)?;
                Ok(match path.as_slice() {
                    [name] => Value::Call(name.clone()),
                    _ => Value::Opaque,
                })
            }
        }
    }

    /// A call convlab does not model (`print(...)`, `np.array(...)`), written at `position`: its
    /// arguments are read for the models they may build, and a layer or layer output handed to
    /// it is an error, since convlab could not tell what becomes of it.
    fn other_call(
        &mut self,
        path: &[String],
        position: Position,
        arguments: &[Argument],
    ) -> Result<(), KerasCodeError> {
        for argument in arguments {
            let value = self.evaluate(&argument.value)?;
            let items = match &value {
                Value::Items(items) => items.iter().map(|(v, p)| (v, *p)).collect(),
                value => vec![(value, argument.value.position)],
            };
            for (value, at) in items {
                let what = match value {
                    Value::Layer(layer) if !layer.preprocessing => "a layer",
                    Value::Tensor(tensor) if !tensor.layers.is_empty() => "a layer's output",
                    _ => continue,
                };
                if let [variable, method] = path {
                    if method == "add" && !self.variables.contains_key(variable) {
                        return Err(KerasCodeError::at(
                            position,
                            format!("'{variable}' is not defined in this code; start with {variable} = tf.keras.Sequential()"),
                        ));
                    }
                }
                return Err(KerasCodeError::at(
                    at,
                    format!(
                        "convlab cannot follow {what} passed to '{}'; build the model with layer calls, model.add(...) or Sequential([...])",
                        path.join(".")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Calls a value: a layer applied to a tensor (`Dense(10)(x)`, `dense(x)`).
    fn apply(
        &mut self,
        function: Value,
        position: Position,
        arguments: &[Argument],
    ) -> Result<Value, KerasCodeError> {
        let tensor_argument =
            |reader: &mut Self| -> Result<Option<(Value, Position)>, KerasCodeError> {
                match arguments {
                    [argument] if argument.keyword.is_none() && !argument.unpacked => Ok(Some((
                        reader.evaluate(&argument.value)?,
                        argument.value.position,
                    ))),
                    _ => Ok(None),
                }
            };
        match function {
            Value::Layer(layer) => {
                let Some((input, input_position)) = tensor_argument(self)? else {
                    let at = arguments.first().map_or(position, |a| a.position);
                    return Err(KerasCodeError::at(
                        at,
                        "a layer is applied to exactly one tensor, as in Dense(10)(x)",
                    ));
                };
                let mut tensor = match input {
                    Value::Tensor(tensor) => tensor,
                    Value::Undefined(name) => {
                        return Err(KerasCodeError::at(
                            input_position,
                            format!("'{name}' is not defined in this code; apply the layer to Input(...) or to another layer's output"),
                        ))
                    }
                    _ => {
                        return Err(KerasCodeError::at(
                            input_position,
                            "a layer is applied to the output of Input(...) or of another layer, and this is neither",
                        ))
                    }
                };
                if let Some(shape) = &layer.input_shape {
                    return Err(KerasCodeError::at(
                        shape.position,
                        "in the Functional style Input(shape=...) gives the input shape; remove input_shape from this layer",
                    ));
                }
                if tensor.layers.iter().any(|l| l.id == layer.id) {
                    return Err(KerasCodeError::at(
                        position,
                        "this layer object is applied twice in one chain (shared weights), which convlab does not support; create a new layer",
                    ));
                }
                tensor.layers.push(layer);
                Ok(Value::Tensor(tensor))
            }
            Value::Call(name) | Value::Undefined(name) => {
                if let Some((Value::Tensor(_), _)) = tensor_argument(self)? {
                    return Err(KerasCodeError::at(position, unknown_layer(&name)));
                }
                Ok(Value::Opaque)
            }
            Value::Model(_) => {
                if let Some((Value::Tensor(_), _)) = tensor_argument(self)? {
                    return Err(KerasCodeError::at(
                        position,
                        "a model used as a layer is not supported; write its layers into this model",
                    ));
                }
                Ok(Value::Opaque)
            }
            _ => Ok(Value::Opaque),
        }
    }

    /// Reads arguments against Keras's positional order and the keywords a call accepts,
    /// returning (keyword, value, position of the value) in order.
    fn keyword_arguments(
        &mut self,
        callee: &str,
        positional: &[&str],
        keywords: Option<&[&str]>,
        arguments: &[Argument],
    ) -> Result<Vec<(String, Value, Position)>, KerasCodeError> {
        let mut result: Vec<(String, Value, Position)> = Vec::with_capacity(arguments.len());
        for (i, argument) in arguments.iter().enumerate() {
            if argument.unpacked {
                return Err(KerasCodeError::at(
                    argument.position,
                    "*args and **kwargs cannot be read; write the arguments out",
                ));
            }
            let key = match &argument.keyword {
                Some(key) => key.clone(),
                None => match positional.get(i) {
                    Some(key) => key.to_string(),
                    None => {
                        let names = if positional.is_empty() {
                            "none".to_string()
                        } else {
                            positional.join(", ")
                        };
                        return Err(KerasCodeError::at(
                            argument.position,
                            format!(
                                "{callee} takes {} positional argument{} ({names}); write this one as keyword=value",
                                positional.len(),
                                if positional.len() == 1 { "" } else { "s" }
                            ),
                        ));
                    }
                },
            };
            if let Some(allowed) = keywords {
                if !allowed.contains(&key.as_str()) {
                    return Err(KerasCodeError::at(
                        argument.position,
                        format!(
                            "{callee} has no argument '{key}' that convlab reads; it takes {}",
                            allowed.join(", ")
                        ),
                    ));
                }
            }
            if result.iter().any(|(k, _, _)| *k == key) {
                return Err(KerasCodeError::at(
                    argument.position,
                    format!("the argument '{key}' is given twice"),
                ));
            }
            let value = self.evaluate(&argument.value)?;
            result.push((key, value, argument.value.position));
        }
        Ok(result)
    }

    /// A layer constructor such as `Conv2D(32, (3, 3), activation='relu')`.
    fn layer(
        &mut self,
        class_name: &'static str,
        positional: &[&str],
        position: Position,
        arguments: &[Argument],
    ) -> Result<Value, KerasCodeError> {
        let mut config = Map::new();
        let mut input_shape = None;
        for (key, value, at) in self.keyword_arguments(class_name, positional, None, arguments)? {
            match key.as_str() {
                "input_shape" => input_shape = Some(shape(&value, at, false, "input_shape")?),
                "batch_input_shape" => input_shape = Some(shape(&value, at, true, &key)?),
                "input_dim" => match value {
                    Value::Literal(Json::Number(n)) if n.as_u64().is_some_and(|n| n > 0) => {
                        input_shape = Some(Shape {
                            dims: vec![n.as_u64().unwrap_or(1) as usize],
                            position: at,
                        })
                    }
                    _ => {
                        return Err(KerasCodeError::at(
                            at,
                            "input_dim is a whole number of inputs, e.g. 784",
                        ))
                    }
                },
                _ => {
                    let json = argument_json(&key, value, at)?;
                    config.insert(key, json);
                }
            }
        }
        Ok(Value::Layer(Layer {
            id: self.new_id(),
            class_name: class_name.to_string(),
            preprocessing: false,
            config,
            input_shape,
            position,
        }))
    }

    /// `Input(shape=(28, 28, 1))`: the start of a Functional chain.
    fn input(
        &mut self,
        position: Position,
        arguments: &[Argument],
    ) -> Result<Value, KerasCodeError> {
        let input = self.input_shape_of("Input", position, &["shape"], arguments)?;
        Ok(Value::Tensor(Tensor {
            input_id: self.new_id(),
            input,
            layers: Vec::new(),
        }))
    }

    /// `InputLayer(shape=(28, 28, 1))` (Keras 3) or `InputLayer(input_shape=...)` (Keras 2).
    fn input_layer(
        &mut self,
        position: Position,
        arguments: &[Argument],
    ) -> Result<Value, KerasCodeError> {
        self.input_shape_of("InputLayer", position, &[], arguments)
            .map(Value::InputLayer)
    }

    fn input_shape_of(
        &mut self,
        callee: &str,
        position: Position,
        positional: &[&str],
        arguments: &[Argument],
    ) -> Result<Shape, KerasCodeError> {
        let keywords = [
            "shape",
            "input_shape",
            "batch_shape",
            "batch_input_shape",
            "batch_size",
            "name",
            "dtype",
        ];
        let mut result = None;
        for (key, value, at) in
            self.keyword_arguments(callee, positional, Some(&keywords), arguments)?
        {
            match key.as_str() {
                "shape" | "input_shape" => result = Some(shape(&value, at, false, &key)?),
                "batch_shape" | "batch_input_shape" => {
                    result = Some(shape(&value, at, true, &key)?)
                }
                _ => {}
            }
        }
        result.ok_or_else(|| {
            KerasCodeError::at(
                position,
                format!("{callee} needs the image shape, e.g. {callee}(shape=(28, 28, 1))"),
            )
        })
    }

    /// `Sequential([...], name=...)`.
    fn sequential(
        &mut self,
        position: Position,
        arguments: &[Argument],
    ) -> Result<Value, KerasCodeError> {
        let arguments = self.keyword_arguments(
            "Sequential",
            &["layers"],
            Some(&["layers", "name"]),
            arguments,
        )?;
        let id = self.models.len();
        self.models.push(Model {
            name: None,
            input: None,
            layers: Vec::new(),
            sequential: true,
            position,
        });
        for (key, value, at) in arguments {
            match (key.as_str(), value) {
                ("name", value) => self.models[id].name = Some(model_name(value, at)?),
                (_, Value::Items(items)) => {
                    for (item, at) in items {
                        self.add(id, item, at)?;
                    }
                }
                (_, Value::Literal(Json::Array(items))) if items.is_empty() => {}
                (_, Value::Literal(Json::Null)) => {}
                (_, Value::Literal(Json::Array(_))) => {
                    return Err(KerasCodeError::at(
                        at,
                        "Sequential takes a list of layers, e.g. [Flatten(), Dense(10)]",
                    ))
                }
                (_, item) => self.add(id, item, at)?,
            }
        }
        Ok(Value::Model(id))
    }

    /// Adds `value` (written at `at`) to the Sequential model `id`.
    fn add(&mut self, id: usize, value: Value, at: Position) -> Result<(), KerasCodeError> {
        let model = &mut self.models[id];
        let input_first = |model: &mut Model, shape: Shape| {
            if model.input.is_some() || !model.layers.is_empty() {
                return Err(KerasCodeError::at(
                    at,
                    "an Input belongs at the start of the model, once",
                ));
            }
            model.input = Some(shape);
            Ok(())
        };
        match value {
            Value::Layer(mut layer) => {
                if let Some(shape) = layer.input_shape.take() {
                    if !model.layers.is_empty() {
                        return Err(KerasCodeError::at(
                            shape.position,
                            "input_shape belongs on the first layer only; remove it here",
                        ));
                    }
                    match model.input.as_ref().map(|input| input.dims == shape.dims) {
                        Some(false) => {
                            return Err(KerasCodeError::at(
                                shape.position,
                                "this input_shape differs from the model's Input shape; remove it",
                            ))
                        }
                        Some(true) => {}
                        None => model.input = Some(shape),
                    }
                }
                if model.layers.iter().any(|l| l.id == layer.id) {
                    return Err(KerasCodeError::at(
                        at,
                        "this layer object is already in the model; create a new layer",
                    ));
                }
                model.layers.push(layer);
                Ok(())
            }
            Value::Tensor(tensor) if tensor.layers.is_empty() => input_first(model, tensor.input),
            Value::InputLayer(shape) => input_first(model, shape),
            Value::Tensor(_) => Err(KerasCodeError::at(
                at,
                "a Sequential model takes layers, not a layer's output; remove the '(x)' after the layer",
            )),
            Value::Model(_) => Err(KerasCodeError::at(
                at,
                "a model inside a model is not supported; add its layers one by one",
            )),
            Value::Call(name) => Err(KerasCodeError::at(at, unknown_layer(&name))),
            Value::Undefined(name) => Err(KerasCodeError::at(
                at,
                format!("'{name}' is not defined in this code; write the layer itself, e.g. Dense(10)"),
            )),
            _ => Err(KerasCodeError::at(
                at,
                "expected a layer here, e.g. Dense(10, activation='softmax')",
            )),
        }
    }

    /// `Model(inputs=input_Layer, outputs=x, name=...)`.
    fn functional_model(
        &mut self,
        position: Position,
        arguments: &[Argument],
    ) -> Result<Value, KerasCodeError> {
        let mut inputs = None;
        let mut outputs = None;
        let mut name = None;
        for (key, value, at) in self.keyword_arguments(
            "Model",
            &["inputs", "outputs"],
            Some(&["inputs", "outputs", "name"]),
            arguments,
        )? {
            match key.as_str() {
                "inputs" => inputs = Some(single_tensor(value, at, "inputs")?),
                "outputs" => outputs = Some(single_tensor(value, at, "outputs")?),
                _ => name = Some(model_name(value, at)?),
            }
        }
        let (Some((inputs, inputs_at)), Some((outputs, outputs_at))) = (inputs, outputs) else {
            return Err(KerasCodeError::at(
                position,
                "Model needs inputs and outputs: Model(inputs=input_Layer, outputs=x)",
            ));
        };
        if !inputs.layers.is_empty() {
            return Err(KerasCodeError::at(
                inputs_at,
                "inputs must be the Input(...) itself, not a layer's output",
            ));
        }
        if outputs.input_id != inputs.input_id {
            return Err(KerasCodeError::at(
                outputs_at,
                "these outputs do not come from the Input given as inputs",
            ));
        }
        self.models.push(Model {
            name,
            input: Some(outputs.input),
            layers: outputs.layers,
            sequential: false,
            position,
        });
        Ok(Value::Model(self.models.len() - 1))
    }

    /// A method call on a model variable: `add`, `pop` and `build` change it; `compile`, `fit`,
    /// `evaluate`, `predict` and `summary` mark it as the model meant; others are ignored.
    fn model_method(
        &mut self,
        id: usize,
        method: &str,
        position: Position,
        arguments: &[Argument],
    ) -> Result<Value, KerasCodeError> {
        let sequential_only = |model: &Model| {
            if model.sequential {
                Ok(())
            } else {
                Err(KerasCodeError::at(
                    position,
                    format!("only a Sequential model has {method}(); this model is Functional"),
                ))
            }
        };
        match method {
            "add" => {
                sequential_only(&self.models[id])?;
                let mut arguments =
                    self.keyword_arguments("add", &["layer"], Some(&["layer"]), arguments)?;
                let Some((_, layer, at)) = arguments.pop() else {
                    return Err(KerasCodeError::at(
                        position,
                        "add() needs a layer, e.g. model.add(Dense(10))",
                    ));
                };
                self.add(id, layer, at)?;
            }
            "pop" => {
                sequential_only(&self.models[id])?;
                if self.models[id].layers.pop().is_none() {
                    return Err(KerasCodeError::at(
                        position,
                        "pop() on a model without layers",
                    ));
                }
            }
            "build" => {
                sequential_only(&self.models[id])?;
                let arguments = self.keyword_arguments(
                    "build",
                    &["input_shape"],
                    Some(&["input_shape"]),
                    arguments,
                )?;
                for (key, value, at) in arguments {
                    let built = shape(&value, at, true, &key)?;
                    let model = &mut self.models[id];
                    match model.input.as_ref().map(|input| input.dims == built.dims) {
                        Some(false) => {
                            return Err(KerasCodeError::at(
                                at,
                                "this shape differs from the model's input shape",
                            ))
                        }
                        Some(true) => {}
                        None => model.input = Some(built),
                    }
                }
            }
            "compile" | "fit" | "evaluate" | "predict" | "summary" | "count_params" => {
                self.used_model = Some(id);
            }
            _ => {}
        }
        Ok(Value::Opaque)
    }

    /// `L2(0.01)`, `regularizers.l1_l2(l1=0.01, l2=0.01)`, ... with Keras 3's defaults.
    fn regularizer(&mut self, name: &str, arguments: &[Argument]) -> Result<Value, KerasCodeError> {
        let (positional, defaults): (&[&str], (f64, f64)) = match name {
            "L1" | "l1" => (&["l1"], (0.01, 0.0)),
            "L2" | "l2" => (&["l2"], (0.0, 0.01)),
            _ => (&["l1", "l2"], (0.0, 0.0)),
        };
        let (mut l1, mut l2) = defaults;
        for (key, value, at) in
            self.keyword_arguments(name, positional, Some(positional), arguments)?
        {
            let factor = number(&value, at, &key)?;
            if key == "l1" {
                l1 = factor;
            } else {
                l2 = factor;
            }
        }
        Ok(Value::KerasObject(
            json!({"class_name": "L1L2", "config": {"l1": l1, "l2": l2}}),
        ))
    }

    /// `HeNormal()`, `initializers.RandomNormal(mean=0.0, stddev=0.1)`, ... (`seed` is read and
    /// ignored: convlab seeds every initializer from the model's seed).
    fn initializer(&mut self, name: &str, arguments: &[Argument]) -> Result<Value, KerasCodeError> {
        let initializer = Initializer::from_name(name).unwrap_or(Initializer::GlorotUniform);
        let Initializer::RandomNormal { mean, stddev } = initializer else {
            self.keyword_arguments(name, &["seed"], Some(&["seed"]), arguments)?;
            return Ok(Value::KerasObject(
                serde_json::to_value(initializer).unwrap_or(Json::Null),
            ));
        };
        let (mut mean, mut stddev) = (f64::from(mean), f64::from(stddev));
        let names = ["mean", "stddev", "seed"];
        for (key, value, at) in self.keyword_arguments(name, &names, Some(&names), arguments)? {
            match key.as_str() {
                "mean" => mean = number(&value, at, &key)?,
                "stddev" => stddev = number(&value, at, &key)?,
                _ => {}
            }
        }
        Ok(Value::KerasObject(
            json!({"class_name": "RandomNormal", "config": {"mean": mean, "stddev": stddev}}),
        ))
    }

    /// The model the code means (see [`parse_keras`]) as a Sequential spec.
    fn finish(self) -> Result<(ModelSpec, Places), KerasCodeError> {
        let has_model_layers = |model: &Model| model.layers.iter().any(|l| !l.preprocessing);
        let chosen = self.used_model.or_else(|| {
            self.models
                .iter()
                .rposition(has_model_layers)
                .or(self.models.len().checked_sub(1))
        });
        let model = match (chosen, self.last_chain) {
            (Some(id), _) => self.models[id].clone(),
            (None, Some(chain)) => Model {
                name: None,
                position: chain.layers.first().map_or(chain.input.position, |l| l.position),
                input: Some(chain.input),
                layers: chain.layers,
                sequential: false,
            },
            (None, None) => {
                return Err(KerasCodeError::at(
                    Position { line: 1, column: 1 },
                    "found no model in this code; define one with model = tf.keras.Sequential([...]), or with layers applied to tf.keras.layers.Input(shape=(28, 28, 1)) and tf.keras.Model(inputs=..., outputs=...)",
                ))
            }
        };
        if let Some(layer) = model.layers.iter().find(|l| l.preprocessing) {
            return Err(KerasCodeError::at(
                layer.position,
                format!(
                    "'{}' is a preprocessing layer; convlab feeds images scaled to [0, 1] and sets augmentation in the training settings, so leave it out of the model",
                    layer.class_name
                ),
            ));
        }
        let places = Places {
            model: model.position,
            layers: model.layers.iter().map(|l| l.position).collect(),
        };
        let mut layers: Vec<LayerSpec> = model
            .layers
            .into_iter()
            .map(|layer| LayerSpec {
                class_name: layer.class_name,
                config: layer.config,
            })
            .collect();
        if let (Some(first), Some(input)) = (layers.first_mut(), &model.input) {
            let mut batch_input_shape = vec![Json::Null];
            batch_input_shape.extend(input.dims.iter().map(|&d| Json::from(d)));
            first
                .config
                .insert("batch_input_shape".into(), Json::Array(batch_input_shape));
        }
        let mut spec = ModelSpec::sequential(layers);
        if let Some(name) = model.name {
            spec.config.name = name;
        }
        Ok((spec, places))
    }
}

/// "a layer", "an initializer".
fn article_noun(noun: &str) -> String {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("n {noun}")
    } else {
        format!(" {noun}")
    }
}

/// A keyword argument's value as config JSON; `activation=None` means `'linear'`, as in Keras.
fn argument_json(key: &str, value: Value, at: Position) -> Result<Json, KerasCodeError> {
    match value {
        Value::Literal(Json::Null) if key == "activation" => Ok(Json::String("linear".into())),
        Value::Literal(json) if key == "name" && !json.is_string() => Err(KerasCodeError::at(
            at,
            "name is a string, e.g. name='conv1'",
        )),
        Value::Literal(json) | Value::KerasObject(json) => Ok(json),
        Value::Undefined(name) if key == "activation" => Err(KerasCodeError::at(
            at,
            match Activation::from_name(&name) {
                Some(_) => format!("'{name}' is not defined in this code; write activation='{name}'"),
                None => format!("'{name}' is not defined in this code; write the activation's name, e.g. activation='relu'"),
            },
        )),
        Value::Undefined(name) => Err(KerasCodeError::at(at, undefined(&name))),
        Value::Layer(_) => Err(KerasCodeError::at(
            at,
            format!("{key} takes a value, not a layer"),
        )),
        _ => Err(KerasCodeError::at(
            at,
            format!("the value of {key} cannot be read; write it out as a literal such as 32, (3, 3), 'same' or None"),
        )),
    }
}

/// The number a regularizer or initializer argument holds.
fn number(value: &Value, at: Position, key: &str) -> Result<f64, KerasCodeError> {
    match value {
        Value::Literal(Json::Number(n)) => Ok(n.as_f64().unwrap_or(0.0)),
        Value::Undefined(name) => Err(KerasCodeError::at(at, undefined(name))),
        _ => Err(KerasCodeError::at(
            at,
            format!("{key} is a number, e.g. {key}=0.01"),
        )),
    }
}

/// A model's `name=` argument.
fn model_name(value: Value, at: Position) -> Result<String, KerasCodeError> {
    match value {
        Value::Literal(Json::String(name)) => Ok(name),
        _ => Err(KerasCodeError::at(
            at,
            "name is a string, e.g. name='my_cnn'",
        )),
    }
}

/// A per-sample shape from a tuple of whole numbers; `batch` shapes start with the batch size
/// (`None`), which is dropped.
fn shape(value: &Value, at: Position, batch: bool, key: &str) -> Result<Shape, KerasCodeError> {
    let dims = match value {
        Value::Literal(Json::Array(dims)) => dims,
        Value::Literal(Json::Number(n)) => {
            return Err(KerasCodeError::at(
                at,
                format!("{key} is a tuple, not a number: write ({n},) for a single axis, or (28, 28, 1) for an image"),
            ))
        }
        Value::Undefined(name) => return Err(KerasCodeError::at(at, undefined(name))),
        _ => {
            return Err(KerasCodeError::at(
                at,
                format!("{key} cannot be read; write it out, e.g. (28, 28, 1)"),
            ))
        }
    };
    let dims = if batch {
        dims.get(1..).unwrap_or(&[])
    } else {
        dims
    };
    let sizes: Option<Vec<usize>> = dims
        .iter()
        .map(|d| d.as_u64().filter(|&d| d > 0).map(|d| d as usize))
        .collect();
    match sizes {
        Some(sizes) if !sizes.is_empty() => Ok(Shape {
            dims: sizes,
            position: at,
        }),
        _ => Err(KerasCodeError::at(
            at,
            format!("{key} must list whole sizes ≥ 1 like (28, 28, 1); None (an unknown size) is not supported"),
        )),
    }
}

/// The one tensor given as `inputs` or `outputs` (alone or in a one-item list).
fn single_tensor(
    value: Value,
    at: Position,
    key: &str,
) -> Result<(Tensor, Position), KerasCodeError> {
    match value {
        Value::Tensor(tensor) => Ok((tensor, at)),
        Value::Items(mut items) if items.len() == 1 => {
            let (value, at) = items.remove(0);
            single_tensor(value, at, key)
        }
        Value::Items(_) => Err(KerasCodeError::at(
            at,
            format!("convlab models have one input and one output; give {key} a single tensor"),
        )),
        Value::Undefined(name) => Err(KerasCodeError::at(
            at,
            format!("'{name}' is not defined in this code"),
        )),
        _ => Err(KerasCodeError::at(
            at,
            format!("{key} must be Input(...) or a layer's output"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(source: &str) -> Vec<(String, Json)> {
        parse_keras(source)
            .unwrap()
            .config
            .layers
            .into_iter()
            .map(|l| (l.class_name, Json::Object(l.config)))
            .collect()
    }

    fn error(source: &str) -> String {
        parse_keras(source).unwrap_err().to_string()
    }

    #[test]
    fn positional_arguments_map_to_keras_names() {
        assert_eq!(
            layers("model = Sequential([Conv2D(32, 3, 2, 'same', input_shape=(28, 28, 1)), Dense(10, 'softmax')])"),
            vec![
                (
                    "Conv2D".to_string(),
                    json!({"filters": 32, "kernel_size": 3, "strides": 2, "padding": "same",
                           "batch_input_shape": [null, 28, 28, 1]})
                ),
                ("Dense".to_string(), json!({"units": 10, "activation": "softmax"})),
            ]
        );
    }

    #[test]
    fn aliases_and_namespaces_resolve_to_the_keras_class() {
        let source = "x = tf.keras.Input((28, 28, 1))\nx = keras.layers.MaxPool2D()(x)\nx = layers.AvgPool2D(3)(x)\nx = GlobalAvgPool2D()(x)";
        let classes: Vec<String> = layers(source).into_iter().map(|(c, _)| c).collect();
        assert_eq!(
            classes,
            ["MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D"]
        );
    }

    #[test]
    fn literal_variables_regularizers_initializers_and_activation_functions_are_read() {
        let source = "n = 10\nshape = (28, 28, 1)\nmodel = Sequential()\nmodel.add(Flatten(input_shape=shape))\nmodel.add(Dense(n, activation=tf.nn.relu, kernel_regularizer=regularizers.l2(0.001), kernel_initializer=tf.keras.initializers.RandomNormal(stddev=0.1), bias_initializer=initializers.Ones()))";
        let layers = layers(source);
        assert_eq!(
            layers[1].1,
            json!({"units": 10, "activation": "relu",
                   "kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.001}},
                   "kernel_initializer": {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.1}},
                   "bias_initializer": {"class_name": "Ones", "config": {}}})
        );
    }

    #[test]
    fn the_compiled_model_wins_over_an_augmentation_pipeline() {
        let source = "model = Sequential([Flatten(input_shape=(28, 28, 1)), Dense(10)])\naugment = Sequential([layers.RandomRotation(0.1)])\nmodel.compile(loss='mse')";
        assert_eq!(layers(source).len(), 2);
        assert_eq!(
            error("model = Sequential([Flatten(input_shape=(28, 28, 1)), RandomZoom(0.1), Dense(10)])"),
            "line 1, column 55: 'RandomZoom' is a preprocessing layer; convlab feeds images scaled to [0, 1] and sets augmentation in the training settings, so leave it out of the model"
        );
    }

    #[test]
    fn a_chain_without_model_is_the_model() {
        let spec =
            parse_keras("inp = Input(shape=(4,))\nx = Dense(3)(inp)\nout = Dense(2)(x)").unwrap();
        assert_eq!(spec.config.layers.len(), 2);
    }

    #[test]
    fn model_code_inside_a_loop_or_condition_is_an_error() {
        assert_eq!(
            error("model = Sequential()\nfor units in [64, 32]: model.add(Dense(units))"),
            "line 2, column 24: convlab reads model code statement by statement and does not run 'for' statements; write this line on its own, outside the 'for'"
        );
    }

    #[test]
    fn skipped_statements_may_hold_anything() {
        let source = "import numpy as np\nprint(f'{x!r}')\nx_train = x_train[..., None] / 255.\nfor layer in model.layers: print(layer.name)\nmodel = Sequential([Dense(1, input_dim=3)])";
        assert_eq!(layers(source).len(), 1);
    }
}
