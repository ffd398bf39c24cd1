/** Edit distance between two strings (Levenshtein), for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/**
 * The `limit` candidates closest to `input`, among those that contain it or are a typo or two away
 * (an edit distance of at most a third of its length, and 2 for short input): a code far from
 * every candidate gets no suggestion rather than unrelated ones. A candidate containing the input
 * ranks first.
 */
export function closestMatches(input: string, candidates: readonly string[], limit = 3): string[] {
  const needle = input.toUpperCase();
  const typos = Math.max(2, Math.floor(needle.length / 3));
  return candidates
    .map((candidate) => ({
      candidate,
      score: candidate.toUpperCase().includes(needle) ? 0 : editDistance(needle, candidate.toUpperCase()),
    }))
    .filter((match) => match.score <= typos)
    .sort((x, y) => x.score - y.score || x.candidate.localeCompare(y.candidate))
    .slice(0, limit)
    .map((match) => match.candidate);
}
