import {
  zAmortizationInput,
  zAmortizationSchedule,
  zMortgage,
  zMortgageCreateInput,
  zMortgageIdInput,
  zMortgageUpdateInput,
  zProperty,
  zPropertyCreateInput,
  zPropertyIdInput,
  zPropertyListInput,
  zPropertyPage,
  zPropertyUpdateInput,
  zRecordMortgageBalanceInput,
  zRecordValuationInput,
  zUuid,
  zValuation,
  zValuationListInput,
  zValuationPage,
} from '@fo/schema';
import { z } from 'zod';
import {
  addMortgage,
  mortgageSchedule,
  recordMortgageBalance,
  removeMortgage,
  updateMortgage,
} from '../services/realEstate/mortgages.js';
import {
  createProperty,
  deleteProperty,
  getProperty,
  listProperties,
  listValuations,
  recordValuation,
  updateProperty,
} from '../services/realEstate/properties.js';
import { authedProcedure, router } from '../trpc/init.js';

export const realEstateRouter = router({
  list: authedProcedure
    .input(zPropertyListInput)
    .output(zPropertyPage)
    .query(({ ctx, input }) => listProperties(ctx, input)),
  byId: authedProcedure
    .input(zPropertyIdInput)
    .output(zProperty)
    .query(({ ctx, input }) => getProperty(ctx, input.id)),
  create: authedProcedure
    .input(zPropertyCreateInput)
    .output(zProperty)
    .mutation(({ ctx, input }) => createProperty(ctx, input)),
  update: authedProcedure
    .input(zPropertyUpdateInput)
    .output(zProperty)
    .mutation(({ ctx, input }) => updateProperty(ctx, input)),
  delete: authedProcedure
    .input(zPropertyIdInput)
    .output(z.object({ id: zUuid }))
    .mutation(({ ctx, input }) => deleteProperty(ctx, input.id)),
  recordValuation: authedProcedure
    .input(zRecordValuationInput)
    .output(z.object({ valuation: zValuation, property: zProperty }))
    .mutation(({ ctx, input }) => recordValuation(ctx, input)),
  valuations: authedProcedure
    .input(zValuationListInput)
    .output(zValuationPage)
    .query(({ ctx, input }) => listValuations(ctx, input)),
  addMortgage: authedProcedure
    .input(zMortgageCreateInput)
    .output(zMortgage)
    .mutation(({ ctx, input }) => addMortgage(ctx, input)),
  updateMortgage: authedProcedure
    .input(zMortgageUpdateInput)
    .output(zMortgage)
    .mutation(({ ctx, input }) => updateMortgage(ctx, input)),
  removeMortgage: authedProcedure
    .input(zMortgageIdInput)
    .output(z.object({ id: zUuid }))
    .mutation(({ ctx, input }) => removeMortgage(ctx, input.id)),
  recordMortgageBalance: authedProcedure
    .input(zRecordMortgageBalanceInput)
    .output(zMortgage)
    .mutation(({ ctx, input }) => recordMortgageBalance(ctx, input)),
  amortizationSchedule: authedProcedure
    .input(zAmortizationInput)
    .output(zAmortizationSchedule)
    .query(({ ctx, input }) => mortgageSchedule(ctx, input)),
});
