//! Each annotator's reliability, learned from the votes alone: the one-coin
//! Dawid–Skene model (one accuracy per annotator; a wrong vote is any other
//! label, uniformly), fitted by EM as crowd-kit's `OneCoinDawidSkene` does,
//! step for step (majority-vote start, the same clipping, the same stopping
//! rule on the evidence lower bound per vote), so that the oracle test can
//! compare accuracies and posteriors to 1e-6.

/// crowd-kit's floor and ceiling for probabilities.
const EPS: f64 = 1e-10;
/// crowd-kit's defaults.
pub const MAX_ITERATIONS: usize = 100;
pub const TOLERANCE: f64 = 1e-5;

/// Votes coded as numbers: `tasks[t]` holds (annotator, label) pairs;
/// labels are `0..labels`, annotators `0..annotators`.
#[derive(Clone, Debug, PartialEq)]
pub struct CodedVotes {
    pub annotators: usize,
    pub labels: usize,
    pub tasks: Vec<Vec<(usize, usize)>>,
}

/// The fitted model: per annotator, the estimated accuracy (`None` for an
/// annotator without votes); per task, P(true label = z).
#[derive(Clone, Debug, PartialEq)]
pub struct OneCoinFit {
    pub accuracies: Vec<Option<f64>>,
    pub posteriors: Vec<Vec<f64>>,
    pub iterations: usize,
}

impl CodedVotes {
    fn vote_count(&self) -> usize {
        self.tasks.iter().map(Vec::len).sum()
    }

    /// The share of each task's votes per label (crowd-kit's MajorityVote
    /// probabilities).
    fn vote_shares(&self) -> Vec<Vec<f64>> {
        self.tasks
            .iter()
            .map(|votes| {
                let mut shares = vec![0.0; self.labels];
                for &(_, label) in votes {
                    shares[label] += 1.0;
                }
                let total: f64 = shares.iter().sum();
                shares.iter().map(|count| count / total).collect()
            })
            .collect()
    }
}

/// Fits the one-coin model; `None` with fewer than 2 labels in use (an
/// annotator's error has no other label to go to) or no vote.
pub fn one_coin_dawid_skene(votes: &CodedVotes) -> Option<OneCoinFit> {
    if votes.labels < 2 || votes.vote_count() == 0 || votes.tasks.iter().any(Vec::is_empty) {
        return None;
    }
    let mut posteriors = votes.vote_shares();
    let mut priors = column_means(&posteriors, votes.labels);
    let mut accuracies = m_step(votes, &posteriors);
    let mut loss = f64::NEG_INFINITY;
    let mut iterations = 0;
    for _ in 0..MAX_ITERATIONS {
        iterations += 1;
        posteriors = e_step(votes, &priors, &accuracies);
        priors = column_means(&posteriors, votes.labels);
        accuracies = m_step(votes, &posteriors);
        let new_loss = evidence_lower_bound(votes, &posteriors, &priors, &accuracies)
            / votes.vote_count() as f64;
        // crowd-kit clips the posteriors in place while computing the bound.
        for row in &mut posteriors {
            for probability in row.iter_mut() {
                *probability = probability.max(EPS);
            }
        }
        if new_loss - loss < TOLERANCE {
            break;
        }
        loss = new_loss;
    }
    Some(OneCoinFit {
        accuracies,
        posteriors,
        iterations,
    })
}

fn column_means(rows: &[Vec<f64>], columns: usize) -> Vec<f64> {
    let mut sums = vec![0.0; columns];
    for row in rows {
        for (sum, value) in sums.iter_mut().zip(row) {
            *sum += value;
        }
    }
    sums.iter().map(|sum| sum / rows.len() as f64).collect()
}

/// Each annotator's accuracy: the mean posterior of the labels they gave.
fn m_step(votes: &CodedVotes, posteriors: &[Vec<f64>]) -> Vec<Option<f64>> {
    let mut sums = vec![0.0; votes.annotators];
    let mut counts = vec![0usize; votes.annotators];
    for (task, task_votes) in votes.tasks.iter().enumerate() {
        for &(annotator, label) in task_votes {
            sums[annotator] += posteriors[task][label];
            counts[annotator] += 1;
        }
    }
    sums.iter()
        .zip(&counts)
        .map(|(sum, &count)| (count > 0).then(|| sum / count as f64))
        .collect()
}

/// P(annotator gives `given` | true label `truth`), clipped as crowd-kit does.
fn error(accuracy: f64, labels: usize, given: usize, truth: usize) -> f64 {
    let probability = if given == truth {
        accuracy
    } else {
        (1.0 - accuracy) / (labels - 1) as f64
    };
    probability.clamp(EPS, 1.0 - EPS)
}

fn e_step(votes: &CodedVotes, priors: &[f64], accuracies: &[Option<f64>]) -> Vec<Vec<f64>> {
    votes
        .tasks
        .iter()
        .map(|task_votes| {
            let log_likelihoods: Vec<f64> = (0..votes.labels)
                .map(|truth| {
                    let votes_part: f64 = task_votes
                        .iter()
                        .map(|&(annotator, given)| {
                            let accuracy = accuracies[annotator].unwrap_or(0.0);
                            error(accuracy, votes.labels, given, truth).log2()
                        })
                        .sum();
                    priors[truth].max(EPS).log2() + votes_part
                })
                .collect();
            let highest = log_likelihoods
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            let scaled: Vec<f64> = log_likelihoods
                .iter()
                .map(|value| (value - highest).exp2())
                .collect();
            let total: f64 = scaled.iter().sum();
            scaled.iter().map(|value| value / total).collect()
        })
        .collect()
}

/// crowd-kit's bound: the expected joint log-likelihood (its prior term
/// counted once per vote, as crowd-kit adds it) plus the posteriors' entropy.
fn evidence_lower_bound(
    votes: &CodedVotes,
    posteriors: &[Vec<f64>],
    priors: &[f64],
    accuracies: &[Option<f64>],
) -> f64 {
    let mut joint = 0.0;
    for (task, task_votes) in votes.tasks.iter().enumerate() {
        for &(annotator, given) in task_votes {
            let accuracy = accuracies[annotator].unwrap_or(0.0);
            for truth in 0..votes.labels {
                let log_term =
                    error(accuracy, votes.labels, given, truth).ln() + priors[truth].max(EPS).ln();
                joint += posteriors[task][truth] * log_term;
            }
        }
    }
    let entropy: f64 = posteriors
        .iter()
        .flatten()
        .map(|probability| {
            let clipped = probability.max(EPS);
            -clipped.ln() * clipped
        })
        .sum();
    joint + entropy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reliable_annotator_outweighs_an_unreliable_one() {
        // Three annotators; the third disagrees with the other two half the time.
        let mut tasks = Vec::new();
        for task in 0..40 {
            let truth = task % 2;
            let third = if task % 4 < 2 { truth } else { 1 - truth };
            tasks.push(vec![(0, truth), (1, truth), (2, third)]);
        }
        let fit = one_coin_dawid_skene(&CodedVotes {
            annotators: 3,
            labels: 2,
            tasks,
        })
        .expect("fits");
        let [a, b, c] = [0, 1, 2].map(|annotator| fit.accuracies[annotator].expect("voted"));
        assert!(a > 0.9 && b > 0.9, "{a} {b}");
        assert!((c - 0.5).abs() < 0.1, "{c}");
        for (task, posterior) in fit.posteriors.iter().enumerate() {
            assert!(posterior[task % 2] > 0.9, "task {task}: {posterior:?}");
            assert!((posterior.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn one_label_in_use_has_no_fit() {
        let votes = CodedVotes {
            annotators: 2,
            labels: 1,
            tasks: vec![vec![(0, 0), (1, 0)]],
        };
        assert!(one_coin_dawid_skene(&votes).is_none());
    }
}
