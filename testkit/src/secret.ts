/** The secret every harness-started server signs tokens with (in-process and child processes alike). */
export const TEST_SECRET = "test-secret-0123456789-0123456789-abcdef";
