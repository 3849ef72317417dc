//! `harrier`: one binary for the whole platform.
//!
//! `serve` runs the server, `demo` runs it with demo content, and the other
//! commands import data and manage staff against the same data directory.

mod commands;
mod config;
mod wiring;

use anyhow::Context;

/// mimalloc instead of glibc's allocator: reports are allocated on the HTTP
/// threads and freed on the database writer thread, a pattern glibc's
/// allocator serves with lock contention (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "harrier",
    version,
    about = "Harrier: an open trust-and-safety operations platform"
)]
struct Cli {
    /// The configuration file (default: ./harrier.toml when it exists).
    #[arg(long, global = true, env = "HARRIER_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (portal, API).
    Serve,
    /// Run the server with demo content: sample help directory and a staff
    /// admin whose one-time password is printed.
    Demo,
    /// Configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// The help directory.
    Directory {
        #[command(subcommand)]
        command: DirectoryCommand,
    },
    /// Import reports from other channels.
    Intake {
        #[command(subcommand)]
        command: IntakeCommand,
    },
    /// Staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a commented example configuration with every default.
    Example,
    /// Print the configuration in effect (file plus environment).
    Show,
}

#[derive(Subcommand)]
enum DirectoryCommand {
    /// Import services from a .csv or .json file; bad rows are reported by
    /// row number and the rest imported.
    Import {
        file: PathBuf,
        /// Replace the services earlier imported from a file of the same name.
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Subcommand)]
enum IntakeCommand {
    /// Import e-mailed tip-offs from a .eml file, an mbox file or a Maildir.
    Mail {
        path: PathBuf,
        /// The category for messages whose subject carries no [category] tag.
        #[arg(long, default_value = "illegal_services")]
        category: String,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff account and print its one-time password.
    Add {
        name: String,
        /// admin, intake, analyst, moderator, reviewer or auditor.
        #[arg(long)]
        role: String,
        /// Give an existing account a new one-time password.
        #[arg(long)]
        reset: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Config {
        command: ConfigCommand::Example,
    } = cli.command
    {
        print!("{}", config::EXAMPLE);
        return Ok(());
    }
    let config = wiring::load_config(cli.config.as_deref())?;
    wiring::init_tracing();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve => commands::serve(&config, false).await,
            Command::Demo => commands::serve(&config, true).await,
            Command::Config {
                command: ConfigCommand::Show,
            } => {
                print!("{}", toml::to_string_pretty(&config)?);
                Ok(())
            }
            Command::Config {
                command: ConfigCommand::Example,
            } => Ok(()),
            Command::Directory {
                command: DirectoryCommand::Import { file, replace },
            } => commands::directory_import(&config, &file, replace).await,
            Command::Intake {
                command: IntakeCommand::Mail { path, category },
            } => commands::intake_mail(&config, &path, &category).await,
            Command::Staff {
                command: StaffCommand::Add { name, role, reset },
            } => commands::staff_add(&config, &name, &role, reset).await,
        }
    })
}
