// The package version. Kept in step with package.json by test/version.test.ts,
// so the executable never has to read a file at run time to know it.
export const VERSION = '0.1.0';
