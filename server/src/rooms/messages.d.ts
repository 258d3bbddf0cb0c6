/** Validators for every message a client may send (besides inputs, which the input schema bounds). */
import { z } from "zod";
export declare const ClientMessages: {
    readonly chat: z.ZodObject<{
        text: z.ZodString;
    }, z.core.$strict>;
    readonly typing: z.ZodObject<{
        typing: z.ZodBoolean;
    }, z.core.$strict>;
};
export declare const JoinOptionsSchema: z.ZodOptional<z.ZodObject<{
    name: z.ZodOptional<z.ZodString>;
}, z.core.$strip>>;
/** A short, human-readable reason for the first validation issue. */
export declare function describeIssue(error: z.ZodError): string;
