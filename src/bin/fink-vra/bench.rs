//! `fink-vra bench-round`: times one active-learning round at scale (fit on the
//! labels, predict the whole pool, rank it), natively or as wasm under Node
//! (`bench/round.sh`). A benchmark, not a test: it prints figures.

use std::time::Instant;

use fink_vra::core::active::round::mapped_rows;
use fink_vra::core::active::strategy::{rank_pool, Pool};
use fink_vra::core::model::FeatureMatrix;
use fink_vra::core::random::SplitMix64;

/// Arguments of `fink-vra bench-round`.
#[derive(clap::Args)]
pub struct BenchArguments {
    #[command(flatten)]
    choice: crate::choices::ModelChoice,
    /// The table the pool is built from.
    #[command(flatten)]
    table: crate::choices::TrainingTable,
    /// Alerts in the pool to predict and rank.
    #[arg(long, default_value_t = 100_000)]
    pool: usize,
    /// Labelled alerts to train on (the table's rows again, jittered, past its size).
    #[arg(long, default_value_t = 200)]
    labels: usize,
    /// Feature columns used (the first N of the table; the VRA has 21).
    #[arg(long, default_value_t = 21)]
    features: usize,
    #[arg(long, default_value_t = 10)]
    batch: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// Rows of `source` (first `columns` columns), cycled to `count` rows, each
/// value scaled by a seeded factor in [0.99, 1.01] so that rows differ.
fn jittered_rows(source: &FeatureMatrix, columns: usize, count: usize, seed: u64) -> FeatureMatrix {
    let mut random = SplitMix64::new(seed);
    let mut rows = FeatureMatrix::with_columns(columns);
    let mut row = vec![0.0; columns];
    for index in 0..count {
        let original = source.row(index % source.rows());
        for (value, &base) in row.iter_mut().zip(original) {
            let jitter = (random.next_u64() % 2001) as f64 / 100_000.0 - 0.01;
            *value = base * (1.0 + jitter);
        }
        rows.push_row(&row);
    }
    rows
}

pub fn run(arguments: &BenchArguments) -> Result<(), String> {
    let (model, strategy, target) = arguments.choice.parse()?;
    let table = arguments.table.read()?;
    let columns = arguments.features.min(table.features.columns());
    let (mapped, classes) = mapped_rows(&target, &table.labels);
    let mut order: Vec<usize> = (0..mapped.len()).collect();
    SplitMix64::new(arguments.seed).shuffle(&mut order);
    // More labels than the table has rows: its rows again, jittered apart below.
    let chosen: Vec<usize> = (0..arguments.labels)
        .map(|index| order[index % order.len()])
        .collect();
    let labelled = jittered_rows(
        &table
            .features
            .select_rows(&chosen.iter().map(|&i| mapped[i]).collect::<Vec<_>>()),
        columns,
        chosen.len(),
        1,
    );
    let labelled_classes: Vec<u8> = chosen.iter().map(|&i| classes[i]).collect();
    let pool = jittered_rows(&table.features, columns, arguments.pool, arguments.seed);
    let object_ids: Vec<String> = (0..pool.rows()).map(|i| format!("object{i}")).collect();

    let start = Instant::now();
    let fitted = model
        .fit(&labelled, &labelled_classes, arguments.seed)
        .map_err(|e| e.to_string())?;
    let fitted_at = start.elapsed();
    let probabilities = fitted.predict_proba(&pool).map_err(|e| e.to_string())?;
    let predicted_at = start.elapsed();
    let candidates = Pool {
        features: &pool,
        object_ids: &object_ids,
        probabilities: &probabilities,
    };
    let ranking = rank_pool(strategy, &candidates, arguments.batch, arguments.seed);
    let ranked_at = start.elapsed();

    let ms = |duration: std::time::Duration| duration.as_secs_f64() * 1000.0;
    println!(
        "model,strategy,labels,pool,features,fit_ms,predict_ms,rank_ms,total_ms,top_probability"
    );
    println!(
        "{},{},{},{},{},{:.1},{:.1},{:.1},{:.1},{:.3}",
        model.name(),
        strategy.name(),
        labelled.rows(),
        pool.rows(),
        columns,
        ms(fitted_at),
        ms(predicted_at - fitted_at),
        ms(ranked_at - predicted_at),
        ms(ranked_at),
        ranking.first().map_or(f64::NAN, |alert| alert.probability)
    );
    Ok(())
}
