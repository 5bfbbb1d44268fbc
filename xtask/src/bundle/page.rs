//! The single HTML file: the served `index.html` with its stylesheet inlined, its module script
//! replaced by the linked page program, and the engine's files in `<script>` elements the
//! browser does not run (read by `www/bundle/engine-files.js`, which names the same ids).
//!
//! The served page's Content-Security-Policy allows only its own files ('self'), which a page
//! opened from disk has none of; the bundle gets a policy as strict in its own terms: the one
//! inline stylesheet and the one inline script by their SHA-256 hashes (no other inline script,
//! no handler attribute, no eval), wasm compiled only with 'wasm-unsafe-eval', workers only from
//! the Blob URLs the page and its engine worker make, and no network at all.

use sha2::{Digest, Sha256};

use super::base64;

/// The stylesheet link of `index.html`, replaced by the stylesheet itself.
const STYLESHEET_TAG: &str = r#"<link rel="stylesheet" href="www/style.css">"#;
/// The module script of `index.html`, replaced by the linked program at the end of the body
/// (a module script runs once the document is parsed; a classic script there does too).
const MODULE_TAG: &str = r#"<script type="module" src="www/main.js"></script>"#;

/// What goes into the page besides `index.html` and the stylesheet.
pub struct Parts<'a> {
    /// wasm-bindgen's `no-modules` glue.
    pub glue: &'a str,
    /// The linked page, worker and helper programs.
    pub page: &'a str,
    pub worker: &'a str,
    pub helper: &'a str,
    /// The wasm, gzipped, in base64.
    pub wasm_base64: &'a str,
    /// The four MNIST files (gzipped idx) in base64, in `Playground.loadMnist`'s order.
    pub mnist_base64: [&'a str; 4],
}

/// The served page's Content-Security-Policy element, replaced by the bundle's (see the top).
const CSP_START: &str = r#"<meta http-equiv="Content-Security-Policy" content=""#;

/// The bundle's policy for its inline stylesheet `style` and inline program `script` (the exact
/// text inside their elements).
fn content_security_policy(style: &str, script: &str) -> String {
    let hash = |text: &str| {
        format!(
            "'sha256-{}'",
            base64::encode(&Sha256::digest(text.as_bytes()))
        )
    };
    format!(
        "default-src 'none'; script-src {} 'wasm-unsafe-eval'; worker-src blob:; style-src {}; \
         img-src data: blob:; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'",
        hash(script),
        hash(style)
    )
}

/// The ids of the MNIST elements, in `Playground.loadMnist`'s order.
const MNIST_IDS: [&str; 4] = [
    "convlab-mnist-train-images",
    "convlab-mnist-train-labels",
    "convlab-mnist-test-images",
    "convlab-mnist-test-labels",
];

/// The single page made from `index_html`, `css` and `parts`.
pub fn assemble(index_html: &str, css: &str, parts: &Parts) -> Result<String, String> {
    for tag in [STYLESHEET_TAG, MODULE_TAG] {
        if index_html.matches(tag).count() != 1 {
            return Err(format!(
                "index.html must hold `{tag}` exactly once: the bundle replaces it"
            ));
        }
    }
    if css.contains("</style") {
        return Err(
            "www/style.css contains `</style`, which would end the inlined stylesheet".into(),
        );
    }
    let mut files = String::new();
    let mut element = |id: &str, kind: &str, text: &str| {
        files.push_str(&format!(
            "<script type=\"{kind}\" id=\"{id}\">{}</script>\n",
            script_text(text)
        ));
    };
    element("convlab-glue", "text/plain", parts.glue);
    element("convlab-worker", "text/plain", parts.worker);
    element("convlab-helper", "text/plain", parts.helper);
    element(
        "convlab-wasm",
        "application/octet-stream",
        parts.wasm_base64,
    );
    for (id, data) in MNIST_IDS.iter().zip(parts.mnist_base64) {
        element(id, "application/octet-stream", data);
    }
    let script = format!("\n{}", script_text(parts.page));
    let style = format!("\n{css}");
    let page = format!("{files}<script>{script}</script>\n</body>");
    let csp_at = match index_html.matches(CSP_START).count() {
        1 => index_html.find(CSP_START).unwrap_or_default(),
        _ => {
            return Err(format!(
                "index.html must hold one `{CSP_START}…\">`: the bundle replaces its policy"
            ))
        }
    };
    let csp_end = index_html[csp_at..]
        .find("\">")
        .map(|end| csp_at + end + 2)
        .ok_or("index.html's Content-Security-Policy element does not end with `\">`")?;
    let csp = format!("{CSP_START}{}\">", content_security_policy(&style, &script));
    let html = format!("{}{csp}{}", &index_html[..csp_at], &index_html[csp_end..])
        .replacen(STYLESHEET_TAG, &format!("<style>{style}</style>"), 1)
        .replacen(MODULE_TAG, "", 1);
    if html.matches("</body>").count() != 1 {
        return Err("index.html must have one </body>: the programs go before it".into());
    }
    Ok(html.replacen("</body>", &page, 1))
}

/// JavaScript that can sit inside a `<script>` element: `</script` would end the element and
/// `<!--` would change how the HTML parser reads what follows, so their `<` becomes `\x3C`, which
/// JavaScript reads as `<` where these sequences can occur (strings, templates, regular
/// expressions; in a comment the text does not matter).
fn script_text(js: &str) -> String {
    let mut out = String::with_capacity(js.len());
    let mut rest = js;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let opens_or_closes = tail
            .as_bytes()
            .get(..8)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"</script"))
            || tail.starts_with("<!--");
        out.push_str(if opens_or_closes { "\\x3C" } else { "<" });
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>() -> Parts<'a> {
        Parts {
            glue: "let wasm_bindgen;",
            page: "const end = '</script>';",
            worker: "w",
            helper: "h",
            wasm_base64: "AGFzbQ==",
            mnist_base64: ["a", "b", "c", "d"],
        }
    }

    #[test]
    fn the_page_inlines_the_stylesheet_and_the_programs() {
        let index = "<html><head>\n  <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\">\n  <link rel=\"stylesheet\" href=\"www/style.css\">\n  <script type=\"module\" src=\"www/main.js\"></script>\n</head><body><p>x</p></body></html>";
        let html = assemble(index, "body { margin: 0; }\n", &parts()).unwrap();
        assert!(html.contains("<style>\nbody { margin: 0; }\n</style>"));
        assert!(!html.contains("type=\"module\""));
        assert!(html.contains(
            "<script type=\"application/octet-stream\" id=\"convlab-wasm\">AGFzbQ==</script>"
        ));
        assert!(html.contains("id=\"convlab-mnist-test-labels\">d</script>"));
        assert!(html.contains("<script>\nconst end = '\\x3C/script>';</script>\n</body></html>"));
        assert!(html.find("<p>x</p>").unwrap() < html.find("convlab-glue").unwrap());
        assert!(!html.contains("default-src 'self'"));
    }

    #[test]
    fn the_policy_allows_exactly_the_inline_style_and_script_by_hash() {
        let index = "<html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\"><link rel=\"stylesheet\" href=\"www/style.css\"><script type=\"module\" src=\"www/main.js\"></script></head><body></body></html>";
        let html = assemble(index, "p {}\n", &parts()).unwrap();
        // Python's hashlib over the program's text as the page holds it ("\nconst end =
        // '\\x3C/script>';"), base64: the hash the browser computes to allow the script.
        let expected = "'sha256-NtCYF/O9jAt7y9zNkzpSZ0ha0AZYLfVvTsoA+EAroAc='";
        assert!(
            html.contains(&format!("script-src {expected} 'wasm-unsafe-eval'")),
            "{html}"
        );
        assert!(html.contains("default-src 'none'"));
        assert!(html.contains("connect-src 'none'"));
    }

    #[test]
    fn a_changed_index_html_is_refused_with_what_to_keep() {
        let error = assemble("<html><body></body></html>", "", &parts()).unwrap_err();
        assert!(
            error.contains("index.html must hold `<link rel=\"stylesheet\""),
            "{error}"
        );
    }

    #[test]
    fn script_text_cannot_end_its_element() {
        assert_eq!(
            script_text("a</SCRIPT>b<!--c<d<한글"),
            "a\\x3C/SCRIPT>b\\x3C!--c<d<한글"
        );
    }
}
