"""mergegate's GitHub integration: `mergegate run --github` in GitHub Actions.

One call, `publish(outcome, GitHubRequest(...)) -> exit status` (`service`), fed by a plain
request; the modules behind it, each with one concern:

- `environment`: what Actions says about the run (the step's files, the API, the repository, the
  commit to check, the token), validated;
- `client` and `transport`: the REST client, its retry policy and bounds, and one HTTP exchange
  bounded in total time; `secret`: the token, scrubbed from anything that could echo it;
- `checks`: the check run; `summary`: the job summary; `outputs`: the step outputs;
- `feedback`: `--review` on a pull request: `review` (suggested fixes on changed lines, as one
  review) and `comment` (the summary comment, updated in place), over `pulls` (the lines a pull
  request changes, lists read page by page);
- `errors`: what can go wrong, by what it means for the run.

Annotations (order, levels, titles, the check-run object) are shared with the `github` report in
`mergegate.gates.annotations`. Nothing here imports the CLI, and the CLI imports this package only
under `--github`.
"""

from mergegate.gates.github.service import GitHubRequest, publish

__all__ = ["GitHubRequest", "publish"]
