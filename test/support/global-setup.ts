// Replaced by the ZooKeeper/kcat tooling (issue 2): starts a real ZooKeeper for the integration suites.
export default async function globalSetup(): Promise<void> {}
