// The package's main export is the SDK for Nest apps (src/client); it arrives with issue 7.
export {};
