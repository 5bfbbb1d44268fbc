//! A small ES-module linker: turns the page's module graph into one classic script, for a page
//! opened from `file://`, where browsers refuse module scripts.
//!
//! It reads only the module syntax the page's sources use, and refuses anything else with the
//! file and line, so the bundle can never silently differ from the served page:
//!
//! - at the start of a line, `import { a, b as c } from './x.js';` and
//!   `import d, { … } from '…';` (possibly over several lines);
//! - at the start of a line, `export function`, `export async function`, `export class` and
//!   `export const NAME`.
//!
//! Each module becomes a function scope that runs once, in the order the browser would run it
//! (dependencies first, depth-first, in import order); its imports are `const` bindings taken
//! from the objects of already-run modules, and it returns its exports. Copying a binding is
//! exact for exports that are never reassigned, which is why `export let` is refused. Import
//! cycles are refused too (no module of the page has one). `import.meta` (a module's own URL) has
//! no meaning in a classic script: the modules that need it are substituted (see [`Substitute`]).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// A module provided by a classic script that defines a global: wasm-bindgen's `no-modules`
/// glue defines `wasm_bindgen`, the init function (the default export) carrying the named
/// exports as properties.
pub struct Global {
    /// The module's path from the repository root, as the sources import it (`pkg/convlab.js`).
    pub path: PathBuf,
    /// The global the script defines (`wasm_bindgen`).
    pub name: String,
    /// The names it exports, to check the imports against.
    pub exports: Vec<String>,
}

/// A module whose text is replaced in the bundle: the same exports, implemented for a page opened
/// from a file (`www/engine-files.js` by `www/bundle/engine-files.js`, `www/edition.js` by the
/// edition generated from the embedded data).
pub struct Substitute {
    /// The module replaced, from the repository root (`www/engine-files.js`).
    pub path: PathBuf,
    /// Where the text comes from, for messages (`www/bundle/engine-files.js`, `generated`).
    pub origin: String,
    /// The replacement module's source.
    pub source: String,
}

/// What the linker needs besides the sources under `root`.
pub struct Linker<'a> {
    /// The repository root: module paths are relative to it.
    pub root: &'a Path,
    /// Modules provided by global-defining scripts.
    pub globals: &'a [Global],
    /// Modules replaced in the bundle.
    pub substitutes: &'a [Substitute],
}

/// One parsed module: its imports, its body without the module syntax, and its exports.
struct Module {
    imports: Vec<Import>,
    body: String,
    exports: Vec<String>,
}

/// `import default_name, { imported as local, … } from 'specifier'`, resolved.
struct Import {
    /// The imported module, from the repository root.
    from: PathBuf,
    default_name: Option<String>,
    /// `(imported, local)` pairs.
    names: Vec<(String, String)>,
    /// 1-based line of the statement, for messages.
    line: usize,
}

impl Linker<'_> {
    /// The classic script that runs `entry` (a path from the repository root) and every module
    /// it imports, each once, in module order. The globals must be defined before it runs.
    pub fn link(&self, entry: &Path) -> Result<String, String> {
        let mut order = Vec::new();
        let mut modules = BTreeMap::new();
        self.visit(entry, &mut Vec::new(), &mut order, &mut modules)?;
        let mut script = format!(
            "// {}, and the modules it imports, linked into one classic script by `cargo xtask bundle`.\n\
             (() => {{\n'use strict';\n",
            entry.display()
        );
        for path in &order {
            let module = &modules[path];
            for import in &module.imports {
                self.check_exports(path, import, &modules)?;
            }
            writeln!(script, "// ---- {}", self.origin(path)).unwrap();
            writeln!(script, "const {} = (() => {{", variable(path)).unwrap();
            for import in &module.imports {
                script.push_str(&self.bindings(import));
            }
            script.push_str(&module.body);
            if !module.body.ends_with('\n') {
                script.push('\n');
            }
            writeln!(
                script,
                "return {{ {} }};\n}})();",
                module.exports.join(", ")
            )
            .unwrap();
        }
        script.push_str("})();\n");
        Ok(script)
    }

    /// Depth-first: the modules `path` imports, then `path` itself, appended to `order`.
    fn visit(
        &self,
        path: &Path,
        stack: &mut Vec<PathBuf>,
        order: &mut Vec<PathBuf>,
        modules: &mut BTreeMap<PathBuf, Module>,
    ) -> Result<(), String> {
        if self.global(path).is_some() || modules.contains_key(path) {
            return Ok(());
        }
        if stack.iter().any(|p| p == path) {
            let cycle: Vec<String> = stack
                .iter()
                .chain([&path.to_path_buf()])
                .map(|p| p.display().to_string())
                .collect();
            return Err(format!(
                "import cycle {}: the bundle runs each module once, after its imports; break the cycle",
                cycle.join(" → ")
            ));
        }
        let module = self.parse(path)?;
        stack.push(path.to_path_buf());
        for import in &module.imports {
            self.visit(&import.from, stack, order, modules)?;
        }
        stack.pop();
        order.push(path.to_path_buf());
        modules.insert(path.to_path_buf(), module);
        Ok(())
    }

    fn global(&self, path: &Path) -> Option<&Global> {
        self.globals.iter().find(|g| g.path == path)
    }

    fn substitute(&self, path: &Path) -> Option<&Substitute> {
        self.substitutes.iter().find(|s| s.path == path)
    }

    /// The module's name in messages and in the script: a substitute says what it replaces.
    fn origin(&self, path: &Path) -> String {
        match self.substitute(path) {
            Some(s) => format!("{} (in place of {})", s.origin, path.display()),
            None => path.display().to_string(),
        }
    }

    /// Reads and parses the module at `path`, or its substitute, which must export exactly the
    /// names the module it replaces exports (so the two cannot drift apart).
    fn parse(&self, path: &Path) -> Result<Module, String> {
        let read = |path: &Path| {
            std::fs::read_to_string(self.root.join(path))
                .map_err(|e| format!("cannot read the module {}: {e}", path.display()))
        };
        let Some(substitute) = self.substitute(path) else {
            return parse_module(&read(path)?, &path.display().to_string(), path);
        };
        let module = parse_module(&substitute.source, &self.origin(path), path)?;
        let mut replaced = declared_exports(&read(path)?);
        let mut replacing = module.exports.clone();
        replaced.sort();
        replacing.sort();
        if replaced != replacing {
            return Err(format!(
                "{} must export what {} exports ({}), but exports {}",
                substitute.origin,
                path.display(),
                replaced.join(", "),
                replacing.join(", ")
            ));
        }
        Ok(module)
    }

    /// Fails unless every name `import` takes is exported by the module it names.
    fn check_exports(
        &self,
        importer: &Path,
        import: &Import,
        modules: &BTreeMap<PathBuf, Module>,
    ) -> Result<(), String> {
        let (exports, has_default): (&[String], bool) = match self.global(&import.from) {
            Some(global) => (&global.exports, true),
            None => (&modules[&import.from].exports, false),
        };
        if import.default_name.is_some() && !has_default {
            return Err(format!(
                "{}:{}: a default import from {}, which has no default export",
                self.origin(importer),
                import.line,
                import.from.display()
            ));
        }
        for (imported, _) in &import.names {
            if !exports.contains(imported) {
                return Err(format!(
                    "{}:{}: imports `{imported}` from {}, which does not export it",
                    self.origin(importer),
                    import.line,
                    self.origin(&import.from)
                ));
            }
        }
        Ok(())
    }

    /// The `const` bindings of one import statement.
    fn bindings(&self, import: &Import) -> String {
        let source = match self.global(&import.from) {
            Some(global) => global.name.clone(),
            None => variable(&import.from),
        };
        let mut out = String::new();
        if let Some(name) = &import.default_name {
            writeln!(out, "const {name} = {source};").unwrap();
        }
        if !import.names.is_empty() {
            let names: Vec<String> = import
                .names
                .iter()
                .map(|(imported, local)| {
                    if imported == local {
                        imported.clone()
                    } else {
                        format!("{imported}: {local}")
                    }
                })
                .collect();
            writeln!(out, "const {{ {} }} = {source};", names.join(", ")).unwrap();
        }
        out
    }
}

/// The script variable holding the exports of the module at `path`.
fn variable(path: &Path) -> String {
    let flat: String = path
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("__module_{flat}")
}

/// Splits `source` (the module at `path`, called `name` in messages) into imports, body and
/// exports.
fn parse_module(source: &str, name: &str, path: &Path) -> Result<Module, String> {
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut body = String::with_capacity(source.len());
    let lines: Vec<&str> = source.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let at = |message: String| format!("{name}:{}: {message}", i + 1);
        if line.contains("import.meta") {
            return Err(at(
                "uses import.meta, which a page opened from a file cannot have; \
                 keep module URLs in www/engine-files.js, which the bundle replaces"
                    .into(),
            ));
        }
        let code = line.trim_start();
        if !(code.starts_with("//") || code.starts_with('*') || code.starts_with("/*"))
            && line.contains("import(")
        {
            return Err(at(
                "a dynamic import() cannot load a module in a page opened from a file; \
                 import it statically"
                    .into(),
            ));
        }
        if line.starts_with("import ") {
            let first = i;
            let mut statement = line.to_string();
            while !statement.trim_end().ends_with(';') {
                i += 1;
                let Some(next) = lines.get(i) else {
                    return Err(format!(
                        "{name}:{}: an import statement without its closing ';'",
                        first + 1
                    ));
                };
                statement.push(' ');
                statement.push_str(next);
            }
            let import = parse_import(&statement, path)
                .map_err(|message| format!("{name}:{}: {message}", first + 1))?;
            imports.push(Import {
                line: first + 1,
                ..import
            });
            body.push('\n');
        } else if let Some(declaration) = line.strip_prefix("export ") {
            let exported = exported_name(declaration).map_err(at)?;
            if exports.contains(&exported) {
                return Err(at(format!("`{exported}` is exported twice")));
            }
            exports.push(exported);
            body.push_str(declaration);
            body.push('\n');
        } else {
            body.push_str(line);
            body.push('\n');
        }
        i += 1;
    }
    Ok(Module {
        imports,
        body,
        exports,
    })
}

/// The names a module's `export` declarations declare (those the linker can read).
fn declared_exports(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| line.strip_prefix("export "))
        .filter_map(|declaration| exported_name(declaration).ok())
        .collect()
}

/// The name an `export` declaration (the text after `export `) declares.
fn exported_name(declaration: &str) -> Result<String, String> {
    let rest = ["async function ", "function ", "class ", "const "]
        .iter()
        .find_map(|keyword| declaration.strip_prefix(keyword))
        .ok_or_else(|| {
            format!(
                "`export {}` is not handled by the bundle's linker; \
                 use export function, export async function, export class or export const NAME",
                declaration.split_whitespace().next().unwrap_or("")
            )
        })?;
    let rest = rest.trim_start_matches('*').trim_start();
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    if name.is_empty() {
        return Err(
            "an export must declare one name (export const NAME = …), not destructure".into(),
        );
    }
    Ok(name)
}

/// `import d, { a, b as c } from './x.js';` of the module at `path`, with the specifier
/// resolved from the repository root.
fn parse_import(statement: &str, path: &Path) -> Result<Import, String> {
    let statement = statement.trim().trim_end_matches(';').trim_end();
    let clause = statement
        .strip_prefix("import")
        .ok_or("not an import statement")?;
    let (clause, specifier) = clause.rsplit_once(" from ").ok_or_else(|| {
        "an import without `from` (a module run for its effects) is not handled by the bundle's linker"
            .to_string()
    })?;
    let specifier = specifier.trim();
    let unquoted = specifier
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| {
            specifier
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
        })
        .ok_or_else(|| format!("the module specifier {specifier} is not a quoted string"))?;
    let from = resolve(path, unquoted)?;
    let clause = clause.trim();
    let (default_part, braces) = match clause.find('{') {
        Some(open) => {
            let close = clause
                .rfind('}')
                .ok_or("an import list without its closing '}'")?;
            (&clause[..open], Some(&clause[open + 1..close]))
        }
        None => (clause, None),
    };
    let default_part = default_part.trim().trim_end_matches(',').trim();
    if default_part.starts_with('*') {
        return Err("`import * as` is not handled by the bundle's linker; import the names".into());
    }
    let default_name = (!default_part.is_empty()).then(|| default_part.to_string());
    if let Some(name) = &default_name {
        check_identifier(name)?;
    }
    let mut names = Vec::new();
    for item in braces.unwrap_or("").split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (imported, local) = match item.split_once(" as ") {
            Some((imported, local)) => (imported.trim(), local.trim()),
            None => (item, item),
        };
        check_identifier(imported)?;
        check_identifier(local)?;
        names.push((imported.to_string(), local.to_string()));
    }
    Ok(Import {
        from,
        default_name,
        names,
        line: 0,
    })
}

/// Fails unless `name` is a plain JavaScript identifier.
fn check_identifier(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$');
    if first_ok && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$') {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a name the bundle's linker can bind"
        ))
    }
}

/// The path from the repository root that `specifier` (relative: `./x.js`, `../pkg/y.js`) names
/// when imported by the module at `importer`.
fn resolve(importer: &Path, specifier: &str) -> Result<PathBuf, String> {
    if !(specifier.starts_with("./") || specifier.starts_with("../")) {
        return Err(format!(
            "the module specifier '{specifier}' is not relative; the page imports only its own files"
        ));
    }
    let mut resolved = importer.parent().unwrap_or(Path::new("")).to_path_buf();
    for component in Path::new(specifier).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !resolved.pop() {
                    return Err(format!(
                        "'{specifier}' leaves the repository from {}",
                        importer.display()
                    ));
                }
            }
            Component::Normal(part) => resolved.push(part),
            _ => return Err(format!("'{specifier}' is not a relative module path")),
        }
    }
    Ok(resolved)
}

/// The names that wasm-bindgen's `no-modules` glue exports (its `exports.NAME = NAME;` lines).
pub fn no_modules_exports(glue: &str) -> Vec<String> {
    let names: HashSet<String> = glue
        .lines()
        .filter_map(|line| line.trim().strip_prefix("exports."))
        .filter_map(|rest| rest.split_once(" = ").map(|(name, _)| name.to_string()))
        .collect();
    let mut names: Vec<String> = names.into_iter().collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throwaway module tree in the temporary directory.
    fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("convlab-linker-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        dir
    }

    fn link(dir: &Path, globals: &[Global], substitutes: &[Substitute]) -> Result<String, String> {
        Linker {
            root: dir,
            globals,
            substitutes,
        }
        .link(Path::new("www/main.js"))
    }

    #[test]
    fn modules_run_after_their_imports_with_their_bindings() {
        let dir = tree(
            "order",
            &[
                (
                    "www/main.js",
                    "import { twice as double } from './math.js';\nimport { ONE } from './one.js';\nconsole.log(double(ONE));\n",
                ),
                (
                    "www/math.js",
                    "import { ONE } from './one.js';\nexport function twice(x) {\n  return 2 * x * ONE;\n}\n",
                ),
                ("www/one.js", "export const ONE = 1;\n"),
            ],
        );
        let script = link(&dir, &[], &[]).unwrap();
        let one = script.find("// ---- www/one.js").unwrap();
        let math = script.find("// ---- www/math.js").unwrap();
        let main = script.find("// ---- www/main.js").unwrap();
        assert!(one < math && math < main, "{script}");
        assert_eq!(script.matches("// ---- www/one.js").count(), 1);
        assert!(script.contains("const { twice: double } = __module_www_math_js;"));
        assert!(script.contains("function twice(x) {"));
        assert!(script.contains("return { twice };"));
        assert!(!script.contains("export "));
    }

    #[test]
    fn a_global_module_gives_its_default_and_named_exports() {
        let dir = tree(
            "global",
            &[(
                "www/main.js",
                "import init, {\n  Playground,\n} from '../pkg/convlab.js';\ninit();\n",
            )],
        );
        let globals = [Global {
            path: PathBuf::from("pkg/convlab.js"),
            name: "wasm_bindgen".into(),
            exports: vec!["Playground".into()],
        }];
        let script = link(&dir, &globals, &[]).unwrap();
        assert!(script.contains("const init = wasm_bindgen;"));
        assert!(script.contains("const { Playground } = wasm_bindgen;"));
    }

    #[test]
    fn a_substitute_replaces_the_module_text_with_the_same_exports() {
        let dir = tree(
            "substitute",
            &[
                ("www/main.js", "import { WHERE } from './files.js';\n"),
                (
                    "www/files.js",
                    "export const WHERE = import.meta.url;\nexport function open() {}\n",
                ),
            ],
        );
        let substitute = |source: &str| {
            [Substitute {
                path: PathBuf::from("www/files.js"),
                origin: "generated".into(),
                source: source.into(),
            }]
        };
        let script = link(
            &dir,
            &[],
            &substitute("export function open() {}\nexport const WHERE = 'file';\n"),
        )
        .unwrap();
        assert!(script.contains("// ---- generated (in place of www/files.js)"));
        assert!(script.contains("const WHERE = 'file';"));
        let error = link(&dir, &[], &substitute("export const WHERE = 'file';\n")).unwrap_err();
        assert_eq!(
            error,
            "generated must export what www/files.js exports (WHERE, open), but exports WHERE"
        );
    }

    #[test]
    fn what_a_classic_script_cannot_do_is_refused_with_file_and_line() {
        let cases = [
            (
                "const url = import.meta.url;\n",
                "www/main.js:1: uses import.meta",
            ),
            (
                "\nexport let count = 0;\n",
                "www/main.js:2: `export let` is not handled",
            ),
            ("export default 1;\n", "`export default` is not handled"),
            ("import './x.js';\n", "an import without `from`"),
            (
                "import * as x from './x.js';\n",
                "`import * as` is not handled",
            ),
            ("const m = await import('./x.js');\n", "a dynamic import()"),
            ("import { a } from 'lodash';\n", "is not relative"),
        ];
        for (main, expected) in cases {
            let dir = tree(
                "refused",
                &[("www/main.js", main), ("www/x.js", "export const a = 1;\n")],
            );
            let error = link(&dir, &[], &[]).unwrap_err();
            assert!(error.contains(expected), "{main:?} gave {error}");
        }
    }

    #[test]
    fn a_missing_export_and_a_cycle_are_refused() {
        let dir = tree(
            "missing",
            &[
                ("www/main.js", "import { b } from './x.js';\n"),
                ("www/x.js", "export const a = 1;\n"),
            ],
        );
        let error = link(&dir, &[], &[]).unwrap_err();
        assert!(
            error.contains("www/main.js:1: imports `b` from www/x.js, which does not export it"),
            "{error}"
        );
        let dir = tree(
            "cycle",
            &[
                ("www/main.js", "import { a } from './x.js';\n"),
                (
                    "www/x.js",
                    "import { c } from './main.js';\nexport const a = 1;\n",
                ),
            ],
        );
        let error = link(&dir, &[], &[]).unwrap_err();
        assert!(
            error.contains("import cycle www/main.js → www/x.js → www/main.js"),
            "{error}"
        );
    }

    #[test]
    fn the_no_modules_glue_lists_its_exports() {
        let glue = "let wasm_bindgen = (function(exports) {\n    exports.Playground = Playground;\n    exports.checkModel = checkModel;\n})({});\n";
        assert_eq!(no_modules_exports(glue), vec!["Playground", "checkModel"]);
    }
}
