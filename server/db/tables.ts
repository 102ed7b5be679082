/** Every core table, in one import. Modules' tables live in `modules/<key>/schema.ts`. */
export * from './schema/core';
export * from './schema/programme';
export * from './schema/competency';
export * from './schema/rubric';
export * from './schema/lti';
export * from './schema/versions';
export * from './schema/impact';
export * from './schema/credentials';
export * from './schema/register';
export * from './schema/sampling';
