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

/// Votes coded as numbers: task `t` ([`CodedVotes::task`]) holds
/// (annotator, label) pairs; labels are `0..labels`, annotators
/// `0..annotators`. The tasks' votes are kept one after another in one
/// list (no list per task: 20,000 of them cost more than the statistics).
#[derive(Clone, Debug, PartialEq)]
pub struct CodedVotes {
    pub annotators: usize,
    pub labels: usize,
    /// Every task's votes, one task after another.
    votes: Vec<(usize, usize)>,
    /// Where each task's votes end in `votes`.
    ends: Vec<usize>,
}

/// The fitted model: per annotator, the estimated accuracy (`None` for an
/// annotator without votes); per task, P(true label = z)
/// ([`OneCoinFit::posterior`]).
#[derive(Clone, Debug, PartialEq)]
pub struct OneCoinFit {
    pub accuracies: Vec<Option<f64>>,
    /// Every task's posteriors, one task after another.
    posteriors: Vec<f64>,
    labels: usize,
    pub iterations: usize,
}

impl OneCoinFit {
    /// Task `task`'s P(true label = z), for each label z.
    pub fn posterior(&self, task: usize) -> &[f64] {
        &self.posteriors[task * self.labels..(task + 1) * self.labels]
    }

    /// Every task's posteriors, in order.
    pub fn posteriors(&self) -> impl ExactSizeIterator<Item = &[f64]> + '_ {
        self.posteriors.chunks_exact(self.labels)
    }
}

impl CodedVotes {
    /// No task yet, for `annotators` annotators and `labels` labels.
    pub fn new(annotators: usize, labels: usize) -> CodedVotes {
        CodedVotes {
            annotators,
            labels,
            votes: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// The votes of `tasks`, in order.
    pub fn from_tasks(
        annotators: usize,
        labels: usize,
        tasks: impl IntoIterator<Item = Vec<(usize, usize)>>,
    ) -> CodedVotes {
        let mut coded = CodedVotes::new(annotators, labels);
        for task in tasks {
            coded.push_task(task);
        }
        coded
    }

    /// Adds a task with `votes`.
    pub fn push_task(&mut self, votes: impl IntoIterator<Item = (usize, usize)>) {
        self.votes.extend(votes);
        self.ends.push(self.votes.len());
    }

    /// Takes the last task out (its votes too).
    pub fn pop_task(&mut self) {
        self.ends.pop();
        let end = self.ends.last().copied().unwrap_or(0);
        self.votes.truncate(end);
    }

    pub fn task_count(&self) -> usize {
        self.ends.len()
    }

    /// Task `task`'s votes.
    pub fn task(&self, task: usize) -> &[(usize, usize)] {
        let start = task.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.votes[start..self.ends[task]]
    }

    /// Every task's votes, in order.
    pub fn tasks(&self) -> impl ExactSizeIterator<Item = &[(usize, usize)]> + '_ {
        (0..self.ends.len()).map(|task| self.task(task))
    }

    fn vote_count(&self) -> usize {
        self.votes.len()
    }

    /// The share of each task's votes per label (crowd-kit's MajorityVote
    /// probabilities).
    /// (One task after another, `labels` values each.)
    fn vote_shares(&self) -> Vec<f64> {
        let mut shares = vec![0.0; self.task_count() * self.labels];
        for (task_shares, votes) in shares.chunks_exact_mut(self.labels).zip(self.tasks()) {
            for &(_, label) in votes {
                task_shares[label] += 1.0;
            }
            let total: f64 = task_shares.iter().sum();
            for share in task_shares {
                *share /= total;
            }
        }
        shares
    }
}

/// Fits the one-coin model; `None` with fewer than 2 labels in use (an
/// annotator's error has no other label to go to) or no vote.
///
/// Each annotator's vote has two probabilities only (right, or one wrong
/// label), so each step takes their logarithms once per annotator and adds
/// them per task: one pass over the votes, not one per label, and the
/// posteriors live in one flat array (tasks × labels).
pub fn one_coin_dawid_skene(votes: &CodedVotes) -> Option<OneCoinFit> {
    if votes.labels < 2 || votes.vote_count() == 0 || votes.tasks().any(<[_]>::is_empty) {
        return None;
    }
    let labels = votes.labels;
    let mut posteriors = Posteriors {
        labels,
        values: votes.vote_shares(),
    };
    let mut priors = posteriors.column_means();
    let mut accuracies = m_step(votes, &posteriors);
    let mut loss = f64::NEG_INFINITY;
    let mut iterations = 0;
    for _ in 0..MAX_ITERATIONS {
        iterations += 1;
        let entropy;
        (posteriors, entropy) = e_step(votes, &priors, &accuracies);
        priors = posteriors.column_means();
        accuracies = m_step(votes, &posteriors);
        let new_loss = evidence_lower_bound(votes, &posteriors, entropy, &priors, &accuracies)
            / votes.vote_count() as f64;
        // crowd-kit clips the posteriors in place while computing the bound.
        for probability in &mut posteriors.values {
            *probability = probability.max(EPS);
        }
        if new_loss - loss < TOLERANCE {
            break;
        }
        loss = new_loss;
    }
    Some(OneCoinFit {
        accuracies,
        posteriors: posteriors.values,
        labels,
        iterations,
    })
}

/// P(true label) per task, row after row.
struct Posteriors {
    labels: usize,
    values: Vec<f64>,
}

impl Posteriors {
    fn of_task(&self, task: usize) -> &[f64] {
        &self.values[task * self.labels..(task + 1) * self.labels]
    }

    fn rows(&self) -> impl Iterator<Item = &[f64]> {
        self.values.chunks(self.labels)
    }

    fn column_means(&self) -> Vec<f64> {
        let mut sums = vec![0.0; self.labels];
        for row in self.rows() {
            for (sum, value) in sums.iter_mut().zip(row) {
                *sum += value;
            }
        }
        let tasks = self.values.len() / self.labels;
        sums.iter().map(|sum| sum / tasks as f64).collect()
    }
}

/// Each annotator's accuracy: the mean posterior of the labels they gave.
fn m_step(votes: &CodedVotes, posteriors: &Posteriors) -> Vec<Option<f64>> {
    let mut sums = vec![0.0; votes.annotators];
    let mut counts = vec![0usize; votes.annotators];
    for (task, task_votes) in votes.tasks().enumerate() {
        let posterior = posteriors.of_task(task);
        for &(annotator, label) in task_votes {
            sums[annotator] += posterior[label];
            counts[annotator] += 1;
        }
    }
    sums.iter()
        .zip(&counts)
        .map(|(sum, &count)| (count > 0).then(|| sum / count as f64))
        .collect()
}

/// P(annotator gives `given` | true label `truth`), clipped as crowd-kit
/// does: (right, wrong) for an annotator of `accuracy`.
fn right_and_wrong(accuracy: Option<f64>, labels: usize) -> (f64, f64) {
    let accuracy = accuracy.unwrap_or(0.0);
    (
        accuracy.clamp(EPS, 1.0 - EPS),
        ((1.0 - accuracy) / (labels - 1) as f64).clamp(EPS, 1.0 - EPS),
    )
}

/// Per annotator, the logarithm `log` of P(right) and of P(a given wrong label).
fn log_right_and_wrong(
    accuracies: &[Option<f64>],
    labels: usize,
    log: fn(f64) -> f64,
) -> Vec<(f64, f64)> {
    accuracies
        .iter()
        .map(|&accuracy| {
            let (right, wrong) = right_and_wrong(accuracy, labels);
            (log(right), log(wrong))
        })
        .collect()
}

fn e_step(votes: &CodedVotes, priors: &[f64], accuracies: &[Option<f64>]) -> (Posteriors, f64) {
    let labels = votes.labels;
    let log_terms = log_right_and_wrong(accuracies, labels, f64::log2);
    let log_priors: Vec<f64> = priors.iter().map(|prior| prior.max(EPS).log2()).collect();
    let mut values = Vec::with_capacity(votes.task_count() * labels);
    let mut entropy = 0.0;
    let mut log_likelihoods = vec![0.0; labels];
    for task_votes in votes.tasks() {
        // Every vote wrong for every truth, then each vote right for its own.
        let all_wrong: f64 = task_votes
            .iter()
            .map(|&(annotator, _)| log_terms[annotator].1)
            .sum();
        for (truth, log_likelihood) in log_likelihoods.iter_mut().enumerate() {
            *log_likelihood = log_priors[truth] + all_wrong;
        }
        for &(annotator, given) in task_votes {
            let (right, wrong) = log_terms[annotator];
            log_likelihoods[given] += right - wrong;
        }
        let highest = log_likelihoods
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let start = values.len();
        values.extend(log_likelihoods.iter().map(|value| (value - highest).exp2()));
        let total: f64 = values[start..].iter().sum();
        for value in &mut values[start..] {
            *value /= total;
        }
        // -p ln p of each posterior clipped to EPS, as crowd-kit, with
        // ln p = (l - highest) ln 2 - ln total: one logarithm per task.
        let log_total = total.ln();
        for (value, log_likelihood) in values[start..].iter().zip(&log_likelihoods) {
            entropy += if *value < EPS {
                -EPS.ln() * EPS
            } else {
                -((log_likelihood - highest) * std::f64::consts::LN_2 - log_total) * value
            };
        }
    }
    (Posteriors { labels, values }, entropy)
}

/// crowd-kit's bound: the expected joint log-likelihood (its prior term
/// counted once per vote, as crowd-kit adds it) plus `entropy`, the
/// posteriors' (the E-step's, which has their logarithms at hand).
fn evidence_lower_bound(
    votes: &CodedVotes,
    posteriors: &Posteriors,
    entropy: f64,
    priors: &[f64],
    accuracies: &[Option<f64>],
) -> f64 {
    let log_terms = log_right_and_wrong(accuracies, votes.labels, f64::ln);
    let log_priors: Vec<f64> = priors.iter().map(|prior| prior.max(EPS).ln()).collect();
    let mut joint = 0.0;
    for (task, task_votes) in votes.tasks().enumerate() {
        let posterior = posteriors.of_task(task);
        let total: f64 = posterior.iter().sum();
        let prior_term: f64 = posterior
            .iter()
            .zip(&log_priors)
            .map(|(probability, log_prior)| probability * log_prior)
            .sum();
        for &(annotator, given) in task_votes {
            let (right, wrong) = log_terms[annotator];
            joint += posterior[given] * right + (total - posterior[given]) * wrong + prior_term;
        }
    }
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
        let fit = one_coin_dawid_skene(&CodedVotes::from_tasks(3, 2, tasks)).expect("fits");
        let [a, b, c] = [0, 1, 2].map(|annotator| fit.accuracies[annotator].expect("voted"));
        assert!(a > 0.9 && b > 0.9, "{a} {b}");
        assert!((c - 0.5).abs() < 0.1, "{c}");
        for (task, posterior) in fit.posteriors().enumerate() {
            assert!(posterior[task % 2] > 0.9, "task {task}: {posterior:?}");
            assert!((posterior.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn one_label_in_use_has_no_fit() {
        let votes = CodedVotes::from_tasks(2, 1, [vec![(0, 0), (1, 0)]]);
        assert!(one_coin_dawid_skene(&votes).is_none());
    }
}
