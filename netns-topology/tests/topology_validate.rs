//! Topology validation: every rule refuses a bad file before anything
//! touches the system, with the line, column and field path of each
//! problem. No kernel involved.
#![allow(clippy::unwrap_used)]

use netns_topology::{Diagnostic, Topology};

fn problems(text: &str) -> Vec<Diagnostic> {
    Topology::parse(text, "t.toml").unwrap_err().items
}

/// The single problem of `text`: (line, path, message).
fn one(text: &str) -> (usize, String, String) {
    let p = problems(text);
    assert_eq!(p.len(), 1, "{p:#?}");
    (p[0].line, p[0].path.clone(), p[0].message.clone())
}

const GOOD: &str = r#"
[[namespace]]
name = "a"
routes = [ { to = "default", via = "10.1.1.2" } ]

[[link]]
a = { netns = "a", name = "veth1", address = "10.1.1.1/24" }
b = { name = "veth0", address = "10.1.1.2/24" }
"#;

#[test]
fn a_good_file_parses() {
    let t = Topology::parse(GOOD, "dir/good.toml").unwrap();
    assert_eq!(t.name(), "good");
    assert_eq!(t.namespaces().len(), 1);
    assert_eq!(t.links().len(), 1);
    assert_eq!(t.probes().len(), 3);
}

#[test]
fn unknown_keys_are_refused_with_their_line_and_path() {
    let (line, path, msg) = one(&GOOD.replace("b = { name", "b = { nmae = \"x\", name"));
    assert_eq!(line, 8);
    assert_eq!(path, "link[0].b.nmae");
    assert!(msg.contains("unknown field `nmae`"), "{msg}");
    let (line, _, msg) = one("colour = \"blue\"\n");
    assert_eq!(line, 1);
    assert!(msg.contains("unknown field `colour`"), "{msg}");
}

#[test]
fn syntax_errors_have_a_line() {
    let (line, _, _) = one("\n\n[[namespace]\nname = 1\n");
    assert_eq!(line, 3);
}

#[test]
fn duplicate_names_are_refused() {
    let text = format!("{GOOD}\n[[namespace]]\nname = \"a\"\n");
    let (line, path, msg) = one(&text);
    assert_eq!(line, 11);
    assert_eq!(path, "namespace[1].name");
    assert!(
        msg.contains("duplicate namespace \"a\" (first declared on line 3)"),
        "{msg}"
    );

    let text = format!(
        "{GOOD}\n[[link]]\na = {{ netns = \"a\", name = \"veth1\" }}\nb = {{ name = \"v9\" }}\n"
    );
    let (line, path, msg) = one(&text);
    assert_eq!((line, path.as_str()), (11, "link[1].a.name"));
    assert!(
        msg.contains("duplicate interface \"veth1\" in namespace a"),
        "{msg}"
    );
}

#[test]
fn interface_names_over_15_bytes_are_refused() {
    let (line, path, msg) = one(&GOOD.replace("\"veth0\"", "\"a-very-long-name0\""));
    assert_eq!((line, path.as_str()), (8, "link[0].b.name"));
    assert!(msg.contains("a-very-long-name0"), "{msg}");
}

#[test]
fn bad_cidrs_are_refused() {
    let (line, path, msg) = one(&GOOD.replace("10.1.1.2/24\"", "10.1.1.2/33\""));
    assert_eq!((line, path.as_str()), (8, "link[0].b.address"));
    assert!(msg.contains("not a CIDR"), "{msg}");
    let (_, _, msg) = one(&GOOD.replace("10.1.1.2/24\"", "10.1.1.2\""));
    assert!(msg.contains("no prefix length"), "{msg}");
}

#[test]
fn addresses_outside_the_links_subnet_are_refused() {
    let p = problems(&GOOD.replace("10.1.1.2/24\"", "10.1.2.2/24\""));
    // Both ends disagree (and the route's gateway is no longer reachable).
    let msgs: Vec<String> = p
        .iter()
        .map(|d| format!("{}:{}: {}", d.line, d.path, d.message))
        .collect();
    assert!(
        msgs.iter().any(
            |m| m.starts_with("7:link[0].a.address: address 10.1.1.1/24 is outside the subnet")
        ),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(
            |m| m.starts_with("8:link[0].b.address: address 10.1.2.2/24 is outside the subnet")
        ),
        "{msgs:#?}"
    );
}

#[test]
fn unreachable_gateways_are_refused() {
    let (line, path, msg) = one(&GOOD.replace("via = \"10.1.1.2\"", "via = \"10.9.9.9\""));
    assert_eq!((line, path.as_str()), (4, "namespace[0].routes[0].via"));
    assert!(
        msg.contains(
            "gateway 10.9.9.9 is not in the subnet of any address declared in namespace a"
        ),
        "{msg}"
    );
}

#[test]
fn undeclared_namespaces_bad_macs_and_mtus_are_refused() {
    let (line, path, msg) = one(&GOOD
        .replace("netns = \"a\"", "netns = \"zz\"")
        .replace("routes = [ { to = \"default\", via = \"10.1.1.2\" } ]", ""));
    assert_eq!((line, path.as_str()), (7, "link[0].a.netns"));
    assert!(msg.contains("namespace \"zz\" is not declared"), "{msg}");
    let (_, path, msg) =
        one(&GOOD.replace("b = { name", "b = { mac = \"01:00:00:00:00:01\", name"));
    assert_eq!(path, "link[0].b.mac");
    assert!(msg.contains("not a unicast MAC"), "{msg}");
    let (_, path, _) = one(&GOOD.replace("b = { name", "b = { mtu = 9, name"));
    assert_eq!(path, "link[0].b.mtu");
}

#[test]
fn uplinks_are_checked() {
    let text = "[[namespace]]\nname = \"n\"\nuplink = { mode = \"bridge\", bridge = \"nope\", address = \"10.5.0.2/24\", gateway = \"10.5.0.1\" }\n";
    let (line, path, msg) = one(text);
    assert_eq!((line, path.as_str()), (3, "namespace[0].uplink.bridge"));
    assert!(msg.contains("no bridge \"nope\""), "{msg}");
    let text = "[[namespace]]\nname = \"n\"\nuplink = { mode = \"nat\", address = \"10.5.0.2/24\", gateway = \"10.6.0.1\" }\n";
    let (_, path, msg) = one(text);
    assert_eq!(path, "namespace[0].uplink.gateway");
    assert!(
        msg.contains("not another address of the uplink's subnet"),
        "{msg}"
    );
}

#[test]
fn every_problem_is_reported_at_once_in_file_order() {
    let text = GOOD
        .replace("\"veth0\"", "\"a-very-long-name0\"")
        .replace("via = \"10.1.1.2\"", "via = \"10.9.9.9\"");
    let p = problems(&text);
    assert_eq!(p.len(), 2);
    assert!(p[0].line < p[1].line);
    let e = Topology::parse(&text, "t.toml").unwrap_err().to_string();
    assert!(e.starts_with("t.toml:4:"), "{e}");
    // Through the one error type, with every line in the detail.
    let err = Topology::from_str(&text).unwrap_err();
    assert_eq!(err.kind(), netns_core::ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("2 problems"), "{err}");
}

#[test]
fn every_example_validates() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            Topology::from_path(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            n += 1;
        }
    }
    assert!(n >= 4);
}

#[test]
fn lo_is_up_by_default_down_on_request_and_nothing_else() {
    let t = Topology::parse(GOOD, "t.toml").unwrap();
    assert!(t.namespaces()[0].lo_up, "lo is up by default");
    let down = GOOD.replace("name = \"a\"\n", "name = \"a\"\nlo = \"down\"\n");
    assert!(!Topology::parse(&down, "t.toml").unwrap().namespaces()[0].lo_up);
    let up = GOOD.replace("name = \"a\"\n", "name = \"a\"\nlo = \"up\"\n");
    assert!(Topology::parse(&up, "t.toml").unwrap().namespaces()[0].lo_up);
    let (line, path, msg) = one(&GOOD.replace("name = \"a\"\n", "name = \"a\"\nlo = \"off\"\n"));
    assert_eq!(line, 4);
    assert_eq!(path, "namespace[0].lo");
    assert!(msg.contains("\"off\"") && msg.contains("\"up\""), "{msg}");
    // Not a string at all: refused by the schema, with its path.
    let (line, path, _) = one(&GOOD.replace("name = \"a\"\n", "name = \"a\"\nlo = false\n"));
    assert_eq!((line, path.as_str()), (4, "namespace[0].lo"));
}
