// Data files imported `with { type: "file" }`: the path to read them from (embedded in the binary).
declare module "*.txt.gz" {
  const path: string;
  export default path;
}
declare module "*.json.gz" {
  const path: string;
  export default path;
}
