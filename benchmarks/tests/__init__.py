"""The harness's tests, a package (`mnemo.benchmarks.tests`, never shipped) so that the import contract
that holds the harness to `mnemo.lab` and `mnemo_client` holds its tests too."""
