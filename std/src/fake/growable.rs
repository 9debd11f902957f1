//! [`Growable`]: the tables of this thread's registry, on the heap.
//!
//! The core engine never allocates: it is generic over where a registry keeps its tables
//! ([`RegistryStorage`]) and brings only fixed-capacity ones. A test on a host should not have to
//! guess how many fakes it declares, so the std crate brings tables that grow.

use capturemock_core::fake::{Pool, RegistryStorage};

/// Tables that grow on the heap, for the per-thread registry.
///
/// Growing never fails (a full heap aborts, as everywhere in std); a table still stops at
/// the engine's id limit, 65,534 items, with
/// [`DeclarationError::Full`](capturemock_core::fake::DeclarationError::Full).
pub(crate) struct Growable;

impl RegistryStorage for Growable {
    type Fakes<X> = Table<X>;
    type Calls<X> = Table<X>;
    type Args<X> = Table<X>;
}

/// One growable table. A newtype, because the orphan rule forbids implementing the core's
/// [`Pool`] for `Vec` here.
pub(crate) struct Table<X>(Vec<X>);

impl<X> Default for Table<X> {
    fn default() -> Self {
        Table(Vec::new())
    }
}

impl<X> Pool<X> for Table<X> {
    fn push(&mut self, item: X) -> Result<(), X> {
        self.0.push(item);
        Ok(())
    }
    fn as_slice(&self) -> &[X] {
        &self.0
    }
    fn as_mut_slice(&mut self) -> &mut [X] {
        &mut self.0
    }
    fn clear(&mut self) {
        self.0.clear()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_grow_and_clear() {
        let mut table = Table::default();
        for i in 0..1000 {
            assert_eq!(Pool::push(&mut table, i), Ok(()));
        }
        assert_eq!(Pool::as_slice(&table).len(), 1000);
        Pool::as_mut_slice(&mut table)[0] = 7;
        assert_eq!(Pool::as_slice(&table)[0], 7);
        Pool::clear(&mut table);
        assert!(Pool::as_slice(&table).is_empty());
    }
}
