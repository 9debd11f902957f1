//! Seeded generators of patterns, templates, texts and rc files for the differential tests.

/// splitmix64: small, seedable, good enough for test generation.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One of `items` (spares the caller a deref where the type would be ambiguous).
    pub fn one(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

/// Characters texts are made of: ASCII, case pairs with Unicode folds (K/k/KELVIN, s/ſ),
/// non-ASCII letters and digits, marks, superscripts, the separators Python calls space.
pub const TEXT_CHARS: &[char] = &[
    'a', 'b', 'c', 'A', 'B', 'x', '0', '1', '9', ' ', ' ', '_', '-', '.', '\n', 'é', 'ß', 'K', 'k',
    '\u{212a}', 's', 'ſ', '٣', '²', '\u{301}', '\u{1c}', '\u{a0}', '$', '=', '\t', '中',
];

pub fn text(rng: &mut Rng, max_len: usize) -> String {
    let len = rng.below(max_len + 1);
    (0..len).map(|_| *rng.pick(TEXT_CHARS)).collect()
}

/// Literal characters for patterns (escaped when they are syntax).
const PATTERN_CHARS: &[&str] = &[
    "a", "b", "c", "A", "x", "0", "1", " ", "_", "-", "é", "ß", "k", "K", "s", "٣", "\\.", "\\$",
    "=", "\\n", "\\t", "\\x41", "\\u00e9", "\\-", "}", "]", "\\\\",
];

const CLASSES: &[&str] = &[
    "[a-c]",
    "[^ab]",
    "[abc]",
    "[0-9]",
    "[\\d_]",
    "[\\w-]",
    "[^\\W\\d]",
    "[\\s]",
    "[]a]",
    "[a-]",
    "[é-ë]",
    "[^\\n]",
    "[K]",
    "[.$]",
    "[\\x00-\\x7f]",
    "[\\S]",
];

const CATEGORIES: &[&str] = &["\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "."];

const ANCHORS: &[&str] = &["^", "$", "\\A", "\\Z", "\\b", "\\B"];

const QUANTIFIERS: &[&str] = &[
    "*", "+", "?", "{2}", "{1,3}", "{,2}", "{2,}", "{0}", "{0,1}",
];

/// A random Python pattern and what a template may refer to.
pub struct Pattern {
    pub text: String,
    pub groups: usize,
    pub names: Vec<String>,
}

struct PatGen<'r> {
    rng: &'r mut Rng,
    groups: usize,
    closed: Vec<usize>,
    names: Vec<(String, usize)>,
}

pub fn pattern(rng: &mut Rng) -> Pattern {
    let mut g = PatGen {
        rng,
        groups: 0,
        closed: Vec::new(),
        names: Vec::new(),
    };
    let flags = *g.rng.pick(&[
        "", "", "", "", "(?i)", "(?m)", "(?s)", "(?a)", "(?x)", "(?ims)",
    ]);
    let body = g.alt(3);
    Pattern {
        text: format!("{flags}{body}"),
        groups: g.groups,
        names: g.names.into_iter().map(|(n, _)| n).collect(),
    }
}

impl PatGen<'_> {
    fn alt(&mut self, depth: usize) -> String {
        let n = if self.rng.chance(25) {
            2 + self.rng.below(2)
        } else {
            1
        };
        (0..n)
            .map(|_| self.seq(depth))
            .collect::<Vec<_>>()
            .join("|")
    }

    fn seq(&mut self, depth: usize) -> String {
        let n = 1 + self.rng.below(4);
        (0..n).map(|_| self.item(depth)).collect()
    }

    fn item(&mut self, depth: usize) -> String {
        let (atom, quantifiable) = self.atom(depth);
        if quantifiable && self.rng.chance(30) {
            let q = self.rng.one(QUANTIFIERS);
            let mode = self.rng.one(&["", "", "", "?", "+"]);
            format!("{atom}{q}{mode}")
        } else {
            atom
        }
    }

    fn atom(&mut self, depth: usize) -> (String, bool) {
        let choice = if depth == 0 {
            self.rng.below(4)
        } else {
            self.rng.below(16)
        };
        match choice {
            0 | 1 => (self.rng.pick(PATTERN_CHARS).to_string(), true),
            2 => (self.rng.pick(CLASSES).to_string(), true),
            3 => (self.rng.pick(CATEGORIES).to_string(), true),
            4 => (self.rng.pick(ANCHORS).to_string(), false),
            5 | 6 => {
                self.groups += 1;
                let gid = self.groups;
                let named = self.rng.chance(30);
                let name = format!("n{gid}");
                let body = self.alt(depth - 1);
                self.closed.push(gid);
                if named {
                    self.names.push((name.clone(), gid));
                    (format!("(?P<{name}>{body})"), true)
                } else {
                    (format!("({body})"), true)
                }
            }
            7 => {
                let kind = *self
                    .rng
                    .pick(&["?:", "?>", "?i:", "?-i:", "?s:", "?m:", "?x:"]);
                (format!("({kind}{})", self.alt(depth - 1)), true)
            }
            8 => {
                let kind = self.rng.one(&["?=", "?!"]);
                (format!("({kind}{})", self.alt(depth - 1)), true)
            }
            9 => (
                format!("({}{})", self.rng.pick(&["?<=", "?<!"]), self.fixed_width()),
                true,
            ),
            10 | 11 if !self.closed.is_empty() => {
                let gid = *self.rng.pick(&self.closed.clone());
                let named = self
                    .names
                    .iter()
                    .find(|(_, g)| *g == gid)
                    .map(|(n, _)| n.clone());
                match named {
                    Some(n) if self.rng.chance(50) => (format!("(?P={n})"), true),
                    _ => (format!("\\{gid}"), true),
                }
            }
            12 if !self.closed.is_empty() => {
                let gid = *self.rng.pick(&self.closed.clone());
                let yes = self.seq(depth - 1);
                let no = if self.rng.chance(60) {
                    format!("|{}", self.seq(depth - 1))
                } else {
                    String::new()
                };
                (format!("(?({gid}){yes}{no})"), false)
            }
            _ => (self.rng.pick(PATTERN_CHARS).to_string(), true),
        }
    }

    /// A look-behind body: every branch the same width.
    fn fixed_width(&mut self) -> String {
        let width = 1 + self.rng.below(2);
        let branches = if self.rng.chance(30) { 2 } else { 1 };
        (0..branches)
            .map(|_| {
                let mut s = String::new();
                if self.rng.chance(15) {
                    s.push_str(self.rng.one(&["\\b", "^", "\\B"]));
                }
                for _ in 0..width {
                    s.push_str(match self.rng.below(3) {
                        0 => self.rng.one(PATTERN_CHARS),
                        1 => self.rng.one(CLASSES),
                        _ => self.rng.one(CATEGORIES),
                    });
                }
                s
            })
            .collect::<Vec<_>>()
            .join("|")
    }
}

/// A replacement template for `p`; `valid` false mixes in references Python refuses.
pub fn template(rng: &mut Rng, p: &Pattern, valid: bool) -> String {
    let n = rng.below(4);
    let mut t = String::new();
    for _ in 0..n {
        match rng.below(9) {
            0 => t.push_str(rng.one(&["x", "-", "é", "<", ">", " "])),
            1 => t.push_str("\\g<0>"),
            2 | 3 if p.groups > 0 => t.push_str(&format!("\\{}", 1 + rng.below(p.groups))),
            4 if p.groups > 0 => t.push_str(&format!("\\g<{}>", 1 + rng.below(p.groups))),
            5 if !p.names.is_empty() => t.push_str(&format!("\\g<{}>", rng.pick(&p.names))),
            6 => t.push_str(rng.one(&["\\n", "\\\\", "\\-", "\\t", "\\0", "\\101", "$1", "\\&"])),
            7 if !valid => {
                t.push_str(rng.one(&["\\9", "\\g<zz>", "\\q", "\\g<1", "\\g<-1>", "\\"]))
            }
            _ => t.push('y'),
        }
    }
    t
}

/// Patterns made of syntax characters at random: mostly invalid, some valid in surprising
/// ways. Python's verdict and ours must agree.
pub fn garbage_pattern(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "(", ")", "[", "]", "{", "}", "*", "+", "?", "|", "^", "$", ".", "\\", "-", ",", ":", "=",
        "!", "<", ">", "P", "#", "0", "1", "2", "a", "b", "d", "w", "x", "A", "Z", "B", "i", "m",
        "s", "u", "L", "&&", "~~", "(?", "(?P<", "(?<", "\\g", "\\1", " ", "\n", "é",
    ];
    let n = 1 + rng.below(8);
    (0..n).map(|_| rng.one(PIECES)).collect()
}

/// An rc file exercising ConfigParser's corners.
pub fn rc_file(rng: &mut Rng) -> String {
    const HEADERS: &[&str] = &[
        "[general]",
        "[General]",
        "[DEFAULT]",
        "[s1]",
        "[ s2 ]",
        "[a]b]",
        "[x] trailing",
        "[s1]",
        "  [general]",
    ];
    const KEYS: &[&str] = &[
        "use_exact_matching",
        "Use_Exact_Matching",
        "alterations",
        "key",
        "KEY",
        "k2",
        "a b",
        "preserve_cr",
        "x.y",
    ];
    const DELIMS: &[&str] = &["=", ":", " = ", " : ", "\t=\t", "= ", " :"];
    const VALUES: &[&str] = &[
        "yes",
        "No",
        "TRUE",
        "off",
        "On",
        "1",
        "0",
        "false",
        "maybe",
        "",
        "a, b ,c",
        "100%%",
        "%(key)s",
        "%(KEY)s/x",
        "%(k2)s%(key)s",
        "%(missing)s",
        "50%",
        "%(",
        "%(key)",
        "x=y:z",
        "  spaced  ",
        "é ß",
        "%%(key)s",
        "%(use_exact_matching)s",
        "\u{a0}nbsp\u{a0}",
        "#notcomment",
    ];
    let newline = rng.one(&["\n", "\n", "\n", "\r\n", "\r"]);
    let mut lines: Vec<String> = Vec::new();
    if !rng.chance(5) {
        lines.push(rng.pick(HEADERS).to_string());
    }
    for _ in 0..rng.below(12) {
        let line = match rng.below(14) {
            0 => rng.pick(HEADERS).to_string(),
            1 => {
                (rng.one(&["# comment", "; comment", "  # indented", "", "   ", "\t"])).to_string()
            }
            2 => format!("{}{}", rng.one(&["  ", "\t", "    "]), rng.pick(VALUES)),
            3 if rng.chance(20) => {
                (rng.one(&["no delimiter", "= novalue", "[unclosed"])).to_string()
            }
            _ => format!("{}{}{}", rng.pick(KEYS), rng.pick(DELIMS), rng.pick(VALUES)),
        };
        lines.push(line);
    }
    let mut text = lines.join(newline);
    if rng.chance(70) {
        text.push_str(newline);
    }
    text
}

/// (match_pattern, replacement) pairs that are valid together, as people write them.
pub const ALTERATION_PAIRS: &[(&str, &str)] = &[
    ("id=\\d+", "$ID"),
    ("\\d{4}-\\d\\d-\\d\\d", "<date>"),
    ("(?<=port )\\d+", "PORT"),
    ("localhost:\\d+", "${CAPTUREMOCK_SERVER}"),
    (":(\\d+)/", ":${CAPTUREMOCK_PORT}/"),
    ("$CM_HOST", "HOST"),
    ("${CM_PATH}/(\\w+)", "PATH/\\1"),
    ("(\\w+)@(\\w+)", "\\2 at \\1"),
    ("a", "b"),
    ("b", "c"),
    ("x*", "-"),
    ("(?i)error", "ERR"),
    ("\\bfoo\\b", "$FOO"),
    ("100%%", "pct"),
    ("(?P<k>\\w+)=(?P<v>\\w+)", "\\g<v>=\\g<k>"),
    ("é+", "E"),
    ("\\s+$", ""),
    ("\\d+", "$N"),
    ("(?m)^(\\w)", "\\1\\1"),
    ("[A-Z]{2,}", "\\g<0>!"),
    ("id", "ID"),
    ("\\$ID", "dollar-id"),
];

/// Replacements that suit any pattern.
pub const ANY_REPLACEMENTS: &[&str] = &[
    "<x>",
    "$V",
    "${CAPTUREMOCK_SERVER}",
    "\\g<0>\\g<0>",
    "",
    "\\n",
];

pub const PIPE_TEXTS: &[&str] = &[
    "GET /api/12 id=7 on 2024-01-02",
    "port 8080 localhost:8080/x id=7",
    "user@host and id=8 and id=7",
    "error ERROR Error",
    "foo food foo",
    "100% of /tmp/cm/file",
    "k=v a=b",
    "ééé abab",
    "trailing   ",
    "myhost:5/ x",
    "",
    "line one\nline two\n",
    "$ID and $FOO",
];

/// A pipeline case: rc files, texts to alter, texts to apply variables to.
pub struct PipeCase {
    pub files: Vec<String>,
    pub address: String,
    pub texts: Vec<String>,
    pub var_texts: Vec<String>,
}

pub fn pipe_case(rng: &mut Rng) -> PipeCase {
    let n = 1 + rng.below(5);
    let mut names = Vec::new();
    let mut sections = String::new();
    for k in 0..n {
        let name = format!("s{k}");
        let (pattern, mut replacement) = *rng.pick(ALTERATION_PAIRS);
        if rng.chance(20) {
            replacement = rng.one(ANY_REPLACEMENTS);
        }
        let pattern = if pattern.contains("%%") || !rng.chance(10) {
            pattern.to_string()
        } else {
            // Interpolation from the same section.
            sections.push_str(&format!("[{name}]\nbase = {pattern}\n"));
            "%(base)s".to_string()
        };
        if !sections.contains(&format!("[{name}]\n")) {
            sections.push_str(&format!("[{name}]\n"));
        }
        sections.push_str(&format!(
            "match_pattern = {pattern}\nreplacement = {replacement}\n\n"
        ));
        names.push(name.clone());
        if rng.chance(15) {
            // The same section listed twice.
            names.push(name);
        }
    }
    if rng.chance(10) {
        names.push("missing".into());
    }
    let mut first = format!(
        "[general]\nalterations = {}\n\n{sections}",
        names.join(", ")
    );
    if rng.chance(10) {
        first.push_str("[DEFAULT]\nreplacement = <default>\n[nodefault]\nmatch_pattern = food\n");
        first = first.replacen("alterations = ", "alterations = nodefault,", 1);
    }
    let mut files = vec![first];
    if rng.chance(30) {
        let k = rng.below(n);
        let (pattern, _) = *rng.pick(ALTERATION_PAIRS);
        let replacement = rng.pick(ANY_REPLACEMENTS);
        files.push(format!(
            "[s{k}]\nmatch_pattern = {pattern}\nreplacement = {replacement}\n"
        ));
    }
    let address = if rng.chance(50) {
        "127.0.0.1:40123".to_string()
    } else {
        String::new()
    };
    let texts = (0..2 + rng.below(4))
        .map(|_| {
            if rng.chance(25) {
                text(rng, 10)
            } else {
                rng.pick(PIPE_TEXTS).to_string()
            }
        })
        .collect();
    let var_texts = (0..rng.below(3))
        .map(|_| {
            (rng.one(&[
                "$ID $ID_2 $ID_3 $FOO",
                "id is $ID.",
                "$N_2$N",
                "$V $V_2 $V_10",
                "no vars",
            ]))
            .to_string()
        })
        .collect();
    PipeCase {
        files,
        address,
        texts,
        var_texts,
    }
}
