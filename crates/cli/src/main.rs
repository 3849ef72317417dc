//! `harrier`: one binary for the whole platform.
//!
//! `serve` runs the server, `demo` runs it with demo content, and the other
//! commands import data and manage staff against the same data directory.

mod analyze;
mod audit_cmd;
mod backtest;
mod bench_cases;
mod bench_detect;
mod bench_ring;
mod commands;
mod config;
mod deliver;
mod delivery_cmd;
mod demo_feed;
mod demo_provider;
mod demo_tipoffs;
mod export_cmd;
mod feed_cmd;
mod lines;
mod mail_outbox;
mod patrol;
mod provider_sim;
mod ring_job;
mod rules_cmd;
mod ruleset;
mod scan;
mod train;
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

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run the server (portal, API).
    Serve,
    /// Run patrol workers only (scan queued feed items), against the same
    /// data directory as `serve`.
    Patrol,
    /// Providers (platforms, messengers...) and their API keys.
    Provider {
        #[command(subcommand)]
        command: ProviderCommand,
    },
    /// Orders to providers: their webhook deliveries.
    Orders {
        #[command(subcommand)]
        command: OrdersCommand,
    },
    /// The reference receiver of order webhooks: verifies signatures,
    /// applies each delivery once, answers through Harrier's API.
    ProviderSim(provider_sim::SimArgs),
    /// Bulk-load data.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
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
    /// The hash-chained audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Exports for outside bodies.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Train a text classifier on a labelled dataset and write the model.
    Train(train::TrainArgs),
    /// Measure a classifier model on a dataset: precision, recall, F1 and
    /// the confusion matrix.
    Eval(train::EvalArgs),
    /// Scan items (JSON lines: id, text, and optionally lang, account, room,
    /// provider, ts) with the ruleset and write signals as JSON lines.
    Scan {
        /// A .jsonl file, or - for standard input.
        #[arg(default_value = "-")]
        input: String,
        /// The ruleset folder.
        #[arg(long, default_value = "rules")]
        rules: PathBuf,
        /// Print a readable explanation of each signal instead of JSON.
        #[arg(long)]
        explain: bool,
    },
    /// Check, test and measure a ruleset.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Offline analyses of files.
    Analyze {
        #[command(subcommand)]
        command: AnalyzeCommand,
    },
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Compile the ruleset and describe it; errors name file, line and rule.
    Check {
        #[arg(long, default_value = "rules")]
        rules: PathBuf,
    },
    /// Run every rule's must_match and must_not_match examples.
    Test {
        #[arg(long, default_value = "rules")]
        rules: PathBuf,
    },
    /// Measure the lexicons' coverage of reference word lists
    /// (e.g. ../shared/data/lexicon-zh).
    Coverage {
        #[arg(long, default_value = "rules")]
        rules: PathBuf,
        /// The folder of reference lists.
        #[arg(long)]
        against: PathBuf,
        /// Print up to this many missed lines per list.
        #[arg(long, default_value_t = 0)]
        show_missed: usize,
    },
    /// Rerun a candidate ruleset over the items stored lately and compare
    /// it with the ruleset in use, rule by rule; writes nothing.
    Backtest {
        /// How far back: 7d, 24h, 30m.
        #[arg(long, default_value = "7d")]
        since: String,
        /// The candidate ruleset folder.
        path: PathBuf,
    },
}

#[derive(Subcommand)]
enum AnalyzeCommand {
    /// Find groups of accounts that act together in a file of posts
    /// (co-post, co-link, co-reply, co-mention, co-contact) and write
    /// groups and edges.
    Coordination(analyze::CoordinationArgs),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// W1: scan items on one thread and print throughput and latency as JSON.
    Detect {
        #[arg(long)]
        items: PathBuf,
        #[arg(long, default_value = "rules")]
        rules: PathBuf,
        /// JSON lines with the ids of planted violations.
        #[arg(long)]
        planted: Option<PathBuf>,
        /// Scan at most this many items.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// The case queues with many reports and cases: fills a database in
    /// --data (kept for the next run) and prints each queue's latency as
    /// JSON lines.
    Cases {
        /// Where the database is made (or reused when it is already full).
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        reports: usize,
        #[arg(long, default_value_t = 100_000)]
        cases: usize,
        /// Requests per queue.
        #[arg(long, default_value_t = 500)]
        requests: usize,
    },
    /// W4: the ring engine's streaming near-duplicate index on short texts
    /// (inserts plus queries per second, recall of the true pairs), as JSON.
    Neardup(bench_ring::NearDupArgs),
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
enum ProviderCommand {
    /// Create a provider and print its first API key (shown once).
    Add {
        name: String,
        /// Comma-separated: feed, orders, reports.
        #[arg(long, default_value = "feed")]
        scopes: String,
    },
    /// Issue another API key for a provider.
    Key {
        name: String,
        #[arg(long, default_value = "feed")]
        scopes: String,
    },
    /// List providers and their keys (never the secrets).
    List,
    /// Revoke a key by its prefix.
    Revoke { prefix: String },
    /// Send the provider's orders to a webhook (https://, or http:// to a
    /// loopback address); prints a new signing secret once.
    Webhook {
        name: String,
        #[arg(long)]
        url: String,
    },
    /// Give the provider's webhook a new signing secret (printed once); the
    /// old one also signs for --keep-hours.
    RotateSecret {
        name: String,
        #[arg(long, default_value_t = 24)]
        keep_hours: u32,
    },
}

#[derive(Subcommand)]
enum OrdersCommand {
    /// List dead deliveries (webhooks given up after the retry window).
    Dead,
    /// Send a dead delivery again, with the same delivery id and body.
    Redeliver { id: i64 },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Load feed items from a JSON-lines file for a provider; bad lines are
    /// reported by number and skipped.
    Items {
        file: PathBuf,
        /// The provider the items come from.
        #[arg(long)]
        provider: String,
        /// The kind of lines that carry none.
        #[arg(long, default_value = "post")]
        kind: String,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The statements of reasons of the decisions taken since a day, in the
    /// EU DSA Transparency Database's format ({"statements": [...]}, as its
    /// multiple-statements endpoint takes them).
    Sor {
        /// The first day (YYYY-MM-DD, UTC).
        #[arg(long)]
        since: String,
        /// The file to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check every entry's hash and link; name the first bad entry. With
    /// --head, also check that the log still holds a head kept elsewhere.
    Verify {
        /// A head exported earlier by `harrier audit head` (SEQ:HASH).
        #[arg(long)]
        head: Option<String>,
    },
    /// Print the newest entry's sequence number and hash (SEQ:HASH), for
    /// someone outside to keep.
    Head,
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff account and print its one-time password.
    Add {
        name: String,
        /// admin, intake, analyst, moderator, reviewer or auditor.
        #[arg(long)]
        role: String,
        /// Give an existing account a new one-time password (also unlocks
        /// it and ends its sessions; keeps its authenticator app).
        #[arg(long)]
        reset: bool,
    },
    /// Remove an account's authenticator app (TOTP), e.g. after a lost
    /// phone, and end its sessions. An admin sets up a new one at the next
    /// sign-in; the other roles may from their account page.
    ResetTotp { name: String },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Offline commands: no configuration, database or async runtime.
    match &cli.command {
        Command::Scan {
            input,
            rules,
            explain,
        } => return scan::run(input, rules, *explain),
        Command::Rules { command } if !matches!(command, RulesCommand::Backtest { .. }) => {
            return match command {
                RulesCommand::Check { rules } => rules_cmd::check(rules),
                RulesCommand::Test { rules } => rules_cmd::test(rules),
                RulesCommand::Coverage {
                    rules,
                    against,
                    show_missed,
                } => rules_cmd::coverage(rules, against, *show_missed),
                RulesCommand::Backtest { .. } => Ok(()), // needs the data: below
            };
        }
        Command::Bench {
            command: BenchCommand::Neardup(args),
        } => return bench_ring::run(args),
        Command::Bench {
            command:
                BenchCommand::Detect {
                    items,
                    rules,
                    planted,
                    limit,
                },
        } => return bench_detect::run(items, rules, planted.as_deref(), *limit),
        Command::Analyze {
            command: AnalyzeCommand::Coordination(args),
        } if args.input.is_some() => return analyze::run(args),
        Command::ProviderSim(args) => {
            wiring::init_tracing();
            return provider_sim::run(args);
        }
        _ => {}
    }
    if let Command::Config {
        command: ConfigCommand::Example,
    } = cli.command
    {
        print!("{}", config::EXAMPLE);
        return Ok(());
    }
    match &cli.command {
        Command::Train(args) => return train::run_train(args),
        Command::Eval(args) => return train::run_eval(args),
        _ => {}
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
            Command::Patrol => commands::patrol(&config).await,
            Command::Provider { command } => match command {
                ProviderCommand::Add { name, scopes } => {
                    feed_cmd::provider_add(&config, &name, &scopes).await
                }
                ProviderCommand::Key { name, scopes } => {
                    feed_cmd::provider_key(&config, &name, &scopes).await
                }
                ProviderCommand::List => feed_cmd::provider_list(&config).await,
                ProviderCommand::Revoke { prefix } => {
                    feed_cmd::provider_revoke(&config, &prefix).await
                }
                ProviderCommand::Webhook { name, url } => {
                    delivery_cmd::provider_webhook(&config, &name, &url).await
                }
                ProviderCommand::RotateSecret { name, keep_hours } => {
                    delivery_cmd::provider_rotate_secret(&config, &name, keep_hours).await
                }
            },
            Command::Orders { command } => match command {
                OrdersCommand::Dead => delivery_cmd::orders_dead(&config).await,
                OrdersCommand::Redeliver { id } => {
                    delivery_cmd::orders_redeliver(&config, id).await
                }
            },
            Command::ProviderSim(_) => Ok(()), // run above
            Command::Import {
                command:
                    ImportCommand::Items {
                        file,
                        provider,
                        kind,
                    },
            } => {
                feed_cmd::check_kind(&kind)?;
                feed_cmd::import_items(&config, &file, &provider, &kind).await
            }
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
            Command::Staff {
                command: StaffCommand::ResetTotp { name },
            } => commands::staff_reset_totp(&config, &name).await,
            Command::Audit {
                command: AuditCommand::Verify { head },
            } => audit_cmd::verify(&config, head.as_deref()).await,
            Command::Audit {
                command: AuditCommand::Head,
            } => audit_cmd::head(&config).await,
            Command::Export {
                command: ExportCommand::Sor { since, out },
            } => export_cmd::run(&config, &since, out.as_deref()).await,
            Command::Train(_) | Command::Eval(_) => Ok(()), // run above
            Command::Rules {
                command: RulesCommand::Backtest { since, path },
            } => backtest::run(&config, &since, &path).await,
            Command::Bench {
                command:
                    BenchCommand::Cases {
                        data,
                        reports,
                        cases,
                        requests,
                    },
            } => {
                bench_cases::run(bench_cases::Args {
                    data: &data,
                    reports,
                    cases,
                    requests,
                })
                .await
            }
            Command::Analyze {
                command: AnalyzeCommand::Coordination(args),
            } => {
                let window = args.window.as_deref().unwrap_or("24h");
                let hours = analyze::seconds(window).context("--window")? / 3600;
                commands::analyze_stored(&config, u32::try_from(hours.max(1))?).await
            }
            Command::Scan { .. } | Command::Rules { .. } | Command::Bench { .. } => Ok(()),
        }
    })
}
