use super::*;

fn default_matrix() -> Matrix {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    crate::db::migrate::migrate(&mut conn, std::path::Path::new("/nonexistent")).unwrap();
    load_matrix(&conn).unwrap()
}

#[test]
fn every_field_of_every_entity_has_a_policy_for_every_role() {
    let m = default_matrix();
    let mut missing = Vec::new();
    for role in Role::ALL {
        assert!(m.scopes.contains_key(role), "role {role} has no row scope");
        for entity in Entity::ALL {
            for f in catalog::fields(*entity) {
                if !m.policies.contains_key(&(*role, *entity, f.name)) {
                    missing.push(format!("{role}/{entity}/{}", f.name));
                }
            }
        }
    }
    assert!(missing.is_empty(), "fields without a policy: {missing:?}");
}

#[test]
fn system_fields_are_never_writable_by_default() {
    let m = default_matrix();
    for ((_, entity, field), policy) in &m.policies {
        if catalog::field(*entity, field).unwrap().system {
            assert!(!policy.writable(), "{entity}.{field} is writable");
        }
    }
}

#[test]
fn health_fields_are_hidden_from_front_desk() {
    let m = default_matrix();
    for f in catalog::CUSTOMER
        .iter()
        .filter(|f| f.sensitivity == Sensitivity::Health)
    {
        assert_eq!(
            m.policy(Role::FrontDesk, Entity::Customer, f.name),
            Policy::Hidden,
            "{}",
            f.name
        );
    }
}
