// Data files imported `with { type: "file" }`: the path to read them from (embedded in the binary).
declare module "*.gz" {
  const path: string;
  export default path;
}
