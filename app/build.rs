//! `sqlx::migrate!` embeds the migrations at compile time but does not tell
//! cargo to watch them: without this, a new migration file alone left the
//! previous build's list in place.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
