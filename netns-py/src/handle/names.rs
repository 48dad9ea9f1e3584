//! The names the result objects (`Address`, `Route`) give the core's numbers:
//! families, scopes, protocols and route types as ``ip`` prints them, and the
//! interface names of a namespace.

use std::collections::BTreeMap;

use netns_core::addr::Family;

/// ``'inet'`` or ``'inet6'`` (``'unspec'`` when the kernel gave none).
pub(super) fn family_name(f: Option<Family>) -> String {
    f.map(|f| f.name().to_owned())
        .unwrap_or_else(|| "unspec".into())
}

/// The name ``ip`` prints for a one-byte route or address field, or its
/// number when it has none.
pub(super) fn name_or_number(name: Option<&'static str>, n: u8) -> String {
    name.map(str::to_owned).unwrap_or_else(|| n.to_string())
}

/// The interface names of `h`'s namespace, when some index needs one.
pub(super) fn names_if(
    h: &mut netns_core::Handle,
    needed: bool,
) -> netns_core::Result<BTreeMap<u32, String>> {
    if needed {
        h.interface_names()
    } else {
        Ok(BTreeMap::new())
    }
}
