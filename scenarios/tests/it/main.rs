//! scenarios' integration tests, one binary with its own runner (libtest-mimic): a test whose
//! runtime is missing here (Node, Python, a Docker engine) is reported as ignored, never as
//! passed, and with `FEDMOCK_REQUIRE_CLIENTS=1` / `FEDMOCK_REQUIRE_DOCKER=1` (CI) it runs and
//! fails instead. Every library scenario is a test of its own for each of its clients.

mod browser;
mod cli;
mod console;
mod container;
mod deploy;
mod js_sdk_v2;
mod layout;
mod library;
mod load;
mod replicas;
mod runner;
mod support;
mod verifiers;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let trials = [
        browser::tests(),
        cli::tests(),
        console::tests(),
        container::tests(),
        deploy::tests(),
        js_sdk_v2::tests(),
        layout::tests(),
        library::tests(),
        load::tests(),
        replicas::tests(),
        runner::tests(),
        verifiers::tests(),
    ];
    libtest_mimic::run(&args, trials.into_iter().flatten().collect()).exit();
}
