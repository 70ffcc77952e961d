//! A private network namespace for the multicast WS-Discovery tests, shared by hil-rig's and the
//! planner's (`#[path]`-included): multicast sent on the machine's own network would leave
//! through a real interface, so these tests build veth pairs inside a namespace they own and
//! delete it when they end, also when they fail. Also finds the Python with PyPI `wsdiscovery`.
//!
//! Needs root and iproute2; the errors say which package to install.

use std::net::Ipv4Addr;
use std::process::Command;

const APT_INSTALL: &str = "apt-get install -y iproute2";
/// What to install when the peer is missing.
pub const PIP_INSTALL: &str = "pip install WSDiscovery==2.1.2";

/// Runs `ip ARGS`, panicking with its stderr on failure.
fn ip(args: &[&str]) {
    let output = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `ip` ({e}): run `{APT_INSTALL}`"));
    assert!(
        output.status.success(),
        "`ip {}` failed (root needed): {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A network namespace that exists for the lifetime of this value.
pub struct Namespace {
    /// Its name, for `ip netns exec` and for the child half of a test.
    pub name: String,
}

impl Namespace {
    /// A namespace named after `prefix` with loopback up and one veth pair per
    /// `(link, peer, address)`, `address/24` on `link`; multicast (224.0.0.0/4) is routed through
    /// the first link, where clients that use the default multicast route send.
    pub fn create(prefix: &str, links: &[(&str, &str, Ipv4Addr)]) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("{prefix}-{}-{nanos:08x}", std::process::id());
        ip(&["netns", "add", &name]);
        // From here on, Drop deletes the namespace whatever fails next.
        let ns = Namespace { name };
        let n = ns.name.as_str();
        ip(&["-n", n, "link", "set", "lo", "up"]);
        for (link, peer, address) in links {
            ip(&[
                "-n", n, "link", "add", link, "type", "veth", "peer", "name", peer,
            ]);
            ip(&[
                "-n",
                n,
                "addr",
                "add",
                &format!("{address}/24"),
                "dev",
                link,
            ]);
            ip(&["-n", n, "link", "set", link, "up"]);
            ip(&["-n", n, "link", "set", peer, "up"]);
        }
        if let Some((first, _, _)) = links.first() {
            ip(&["-n", n, "route", "add", "224.0.0.0/4", "dev", first]);
        }
        ns
    }

    /// `ip netns exec NAME program…`.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name, program]);
        command
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        // Deleting also removes the veth pairs, which live only in the namespace.
        let deleted = Command::new("ip")
            .args(["netns", "delete", &self.name])
            .status();
        if !matches!(deleted, Ok(s) if s.success()) {
            println!("could not delete network namespace {}", self.name);
        }
    }
}

/// The Python with PyPI `wsdiscovery`: `CAMSCOPE_PYTHON` or `python3`; fails saying what to
/// install when the module is missing.
pub fn python() -> String {
    let python = std::env::var("CAMSCOPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let output = Command::new(&python)
        .args(["-c", "import wsdiscovery"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} ({e}); then run `{PIP_INSTALL}`"));
    assert!(
        output.status.success(),
        "wsdiscovery is missing for {python}: run `{PIP_INSTALL}` (stderr: {})",
        String::from_utf8_lossy(&output.stderr)
    );
    python
}
