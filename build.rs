// `embed_migrations!` reads the migration directories at compile time; without this, a new
// migration is not embedded until something else in the crate changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
