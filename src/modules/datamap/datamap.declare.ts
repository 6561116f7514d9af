// The helper lives beside the types in the lowest layer, where the platform's tables use it too.
export { declareTable } from '../../db/datamap.declare.ts';
